/**
 * 测试开始前启动真实后端：scripts/stub_backend.py（临时 SQLite、演示数据、假微信服务器），
 * 读取它打印的地址，放进 process.env.STUB_API_URL 供各测试文件使用。
 */
const path = require('path')
const { spawn } = require('child_process')

const REPO = path.resolve(__dirname, '..', '..')
const START_TIMEOUT_MS = 120000

module.exports = async function globalSetup() {
  const python = process.env.STUB_PYTHON || path.join(REPO, '.venv', 'bin', 'python')
  const child = spawn(python, [path.join(REPO, 'scripts', 'stub_backend.py')], {
    cwd: REPO,
    env: { ...process.env, REDIS_URL: '', DATABASE_URL: '' },
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  let stderr = ''
  child.stderr.on('data', (chunk) => {
    stderr += chunk
  })
  const urls = await new Promise((resolve, reject) => {
    let stdout = ''
    const timer = setTimeout(() => reject(new Error(`backend did not start in time:\n${stderr}`)), START_TIMEOUT_MS)
    child.stdout.on('data', (chunk) => {
      stdout += chunk
      const line = stdout.split('\n').find((l) => l.startsWith('{'))
      if (line && stdout.includes('\n')) {
        clearTimeout(timer)
        resolve(JSON.parse(line))
      }
    })
    child.on('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`backend exited with code ${code} before answering:\n${stderr}`))
    })
  })
  child.removeAllListeners('exit')
  globalThis.__STUB_BACKEND__ = child
  process.env.STUB_API_URL = urls.api
  process.env.STUB_WECHAT_URL = urls.wechat
}
