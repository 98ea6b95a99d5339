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

module.exports = { shim, newDevice, openPage, input, change, tap, text, all, find, settle }
