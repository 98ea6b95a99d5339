/** 关掉 global-setup 启动的后端：关闭它的标准输入，它随即退出并删除临时目录。 */
module.exports = async function globalTeardown() {
  const child = globalThis.__STUB_BACKEND__
  if (!child || child.exitCode !== null) return
  const exited = new Promise((resolve) => child.on('exit', resolve))
  child.stdin.end()
  await exited
}
