/**
 * 截图用：把 miniprogram-simulate 渲染出的页面（wx-view 等标签）连同 app.wxss 和页面 wxss
 * （rpx 按屏宽换算成 px）写成一个 HTML 文件；测试 canvas 上画的二维码换成同样图案的 SVG。
 */
const fs = require('fs')
const path = require('path')

const ROOT = path.resolve(__dirname, '..', '..')

// 小程序内置组件的大致样子（够看版面：块、按钮、输入框、开关）
const BUILTIN = `
body { margin: 0; font-family: "Noto Sans CJK SC", "WenQuanYi Micro Hei", sans-serif; }
main { display: block; background: #f5f5f5; min-height: 100vh; }
wx-view, wx-button, wx-input, wx-textarea, wx-picker, wx-canvas, wx-form { display: block; }
wx-text { display: inline; }
wx-button { border-radius: 5px; background: #f8f8f8; border: 1px solid #ddd; text-align: center; padding: 10px 0; font-size: 18px; }
wx-button[size="mini"] { display: inline-block; padding: 4px 12px; font-size: 14px; margin-right: 8px; }
wx-input { min-height: 1.4em; }
wx-textarea { min-height: 80px; border: 1px solid #ccc; }
wx-switch { display: inline-block; width: 48px; height: 28px; border-radius: 14px; background: #ddd; vertical-align: middle; margin-right: 6px; }
wx-image { display: inline-block; }
wx-button[size="mini"], wx-button.mini { display: inline-block; }
`

function wxss(file, width, prefix) {
  if (!fs.existsSync(file)) return ''
  const factor = width / 750
  return fs
    .readFileSync(file, 'utf8')
    .replace(/(-?\d*\.?\d+)rpx/g, (_, n) => `${(Number(n) * factor).toFixed(2)}px`)
    .replace(/(^|[\s,{}])page(\s*\{)/g, '$1main$2')
    .replace(/\.([a-zA-Z][\w-]*)/g, `.${prefix}--$1`)
}

function svgOf(canvas, size) {
  const scale = size / canvas.width
  const rects = canvas.rects
    .map((r) => `<rect x="${r.x * scale}" y="${r.y * scale}" width="${r.w * scale}" height="${r.h * scale}" fill="${r.color}"/>`)
    .join('')
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" style="display:block;margin:0 auto 8px" shape-rendering="crispEdges">${rects}</svg>`
}

/** 页面 → HTML 文件路径。 */
function writeHtml(page, pagePath, outFile, { width = 360, canvases = {} } = {}) {
  let html = page.dom.outerHTML
  const prefix = (/class="([\w]+)--/.exec(html) || [null, 'main'])[1]
  Object.values(canvases).forEach((canvas) => {
    html = html.replace(/<wx-canvas[^>]*>(<\/wx-canvas>)?/, svgOf(canvas, 240))
  })
  const css = BUILTIN + wxss(path.join(ROOT, 'app.wxss'), width, prefix) + wxss(path.join(ROOT, `${pagePath}.wxss`), width, prefix)
  const title = JSON.parse(fs.readFileSync(path.join(ROOT, `${pagePath}.json`), 'utf8')).navigationBarTitleText || ''
  const bar = `<div style="background:#c4161c;color:#fff;height:44px;line-height:44px;text-align:center;font-size:17px">${title}</div>`
  fs.writeFileSync(outFile, `<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=${width}"><style>${css}</style></head><body>${bar}${html}</body></html>`)
  return outFile
}

module.exports = { writeHtml }
