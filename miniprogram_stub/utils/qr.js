/**
 * 二维码：用 qrcode-generator 库（npm，单文件、无依赖，开发者工具“构建 npm”可直接打包）算出模块矩阵，
 * 在页面的 <canvas type="2d"> 上画出来。会员码、入场码都是签名的短期内容：过期前
 * config.qrRenewLeadSeconds 秒自动换新。
 */
const qrcode = require('qrcode-generator')
const config = require('../config')

/** 文字的 UTF-8 字节（小程序的 JS 环境没有 TextEncoder；库默认只取每个字符的低 8 位）。 */
function utf8(text) {
  const binary = unescape(encodeURIComponent(text))
  const bytes = new Array(binary.length)
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i)
  return bytes
}

qrcode.stringToBytes = utf8

/** 模块矩阵：{size, dark(row, col)}（版本按内容自动选，纠错等级 M，字节模式）。 */
function matrix(text) {
  const code = qrcode(0, 'M')
  code.addData(text, 'Byte')
  code.make()
  return { size: code.getModuleCount(), dark: (row, col) => code.isDark(row, col) }
}

function canvasNode(page, selector) {
  return new Promise((resolve) => {
    wx.createSelectorQuery()
      .in(page)
      .select(selector)
      .fields({ node: true, size: true })
      .exec((res) => resolve(res && res[0]))
  })
}

/** 在 selector 指定的 canvas 上画 text 的二维码（四周留 4 个模块的白边）。 */
async function draw(page, selector, text) {
  const found = await canvasNode(page, selector)
  if (!found || !found.node) return false
  const canvas = found.node
  const width = found.width || 240
  const ratio = (wx.getWindowInfo ? wx.getWindowInfo().pixelRatio : 2) || 2
  canvas.width = width * ratio
  canvas.height = width * ratio
  const ctx = canvas.getContext('2d')
  const { size, dark } = matrix(text)
  const cell = Math.floor((width * ratio) / (size + 8))
  const offset = Math.floor((width * ratio - cell * size) / 2)
  ctx.fillStyle = '#ffffff'
  ctx.fillRect(0, 0, canvas.width, canvas.height)
  ctx.fillStyle = '#000000'
  for (let row = 0; row < size; row += 1) {
    for (let col = 0; col < size; col += 1) {
      if (dark(row, col)) ctx.fillRect(offset + col * cell, offset + row * cell, cell, cell)
    }
  }
  return true
}

/** 过期前换新：返回定时器，页面卸载时 clearTimeout。 */
function scheduleRenewal(expiresInSeconds, renew) {
  const ms = Math.max(1, (expiresInSeconds - config.qrRenewLeadSeconds) * 1000)
  return setTimeout(renew, ms)
}

module.exports = { matrix, draw, scheduleRenewal }
