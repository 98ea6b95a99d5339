/**
 * 渲染并操作页面：openPage 加载页面（页面用 Component 构造器写成）、模拟页面框架调用 onLoad；
 * input / tap / change 派发事件后等页面上进行中的操作全部完成（utils/page.js 的 idle），不靠延时。
 */
const path = require('path')
const simulate = require('miniprogram-simulate')
const { idle } = require('../utils/page')

const ROOT = path.resolve(__dirname, '..')
const loaded = {}
let deviceSeq = 0

const shim = global.__wxShim

/** 新的微信用户：清空缓存，wx.login 返回一个本次测试独有的 code。返回该 code。 */
function newDevice(label = 'u') {
  deviceSeq += 1
  const code = `${label}${deviceSeq}_${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`
  shim.reset(code)
  return code
}

function load(pagePath) {
  if (!loaded[pagePath]) {
    loaded[pagePath] = simulate.load(path.join(ROOT, pagePath), { compiler: 'simulate', rootPath: ROOT })
  }
  return loaded[pagePath]
}

async function settle(page) {
  // j-component 在一个微任务里派发事件；让它先执行，再等页面的操作结束。
  for (let i = 0; i < 3; i += 1) await Promise.resolve()
  await idle(page.instance)
}

async function openPage(pagePath, query = {}) {
  const page = simulate.render(load(pagePath))
  page.attach(document.createElement('parent-wrapper'))
  if (page.instance.onLoad) await page.instance.onLoad(query)
  if (page.instance.onShow) await page.instance.onShow()
  await settle(page)
  return page
}

function find(page, selector) {
  const node = page.querySelector(selector)
  if (!node) throw new Error(`no element ${selector} on the page:\n${page.dom.innerHTML.slice(0, 2000)}`)
  return node
}

async function fire(page, selector, name, detail = {}) {
  find(page, selector).dispatchEvent(name, { detail })
  await settle(page)
}

const input = (page, selector, value) => fire(page, selector, 'input', { value })
const change = (page, selector, value) => fire(page, selector, 'change', { value })
const tap = (page, selector) => fire(page, selector, 'tap')

/** 页面上某元素的文字（去掉首尾空白）；元素不存在时为 null。 */
function text(page, selector) {
  const node = page.querySelector(selector)
  return node ? node.dom.textContent.replace(/\s+/g, ' ').trim() : null
}

function all(page, selector) {
  return page.querySelectorAll(selector)
}

/** 等某个条件成立（页面的定时器、后台动作），每次让事件循环走一轮；超时报错。 */
async function waitFor(condition, what = 'condition', timeoutMs = 10000) {
  const started = Date.now()
  for (;;) {
    const value = await condition()
    if (value) return value
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/** 把测试 canvas 上画的矩形还原成像素，用 jsQR 解出二维码内容（画得不对就解不出来）。 */
function decodeCanvas(canvas) {
  const jsQR = require('jsqr')
  const { width, height } = canvas
  const pixels = new Uint8ClampedArray(width * height * 4).fill(255)
  canvas.rects.forEach(({ x, y, w, h, color }) => {
    const v = color.toLowerCase() === '#000000' ? 0 : 255
    for (let row = Math.max(0, y); row < Math.min(height, y + h); row += 1) {
      for (let col = Math.max(0, x); col < Math.min(width, x + w); col += 1) {
        const i = (row * width + col) * 4
        pixels[i] = v
        pixels[i + 1] = v
        pixels[i + 2] = v
      }
    }
  })
  const found = jsQR(pixels, width, height)
  return found ? found.data : null
}

// 一张真的 PNG（1×1 像素），当作手机相册里的照片
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==',
  'base64'
)
let photoSeq = 0

/** 在相册里放 n 张照片（下次 wx.chooseMedia 选中它们），返回它们的路径。 */
function photosInAlbum(n) {
  const fs = require('fs')
  const os = require('os')
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zg-album-'))
  const files = []
  for (let i = 0; i < n; i += 1) {
    photoSeq += 1
    const file = path.join(dir, `IMG_${photoSeq}.png`)
    fs.writeFileSync(file, PNG)
    files.push(file)
  }
  shim.state.media.push(...files)
  return files
}

module.exports = { shim, newDevice, openPage, input, change, tap, text, all, find, settle, waitFor, decodeCanvas, photosInAlbum }
