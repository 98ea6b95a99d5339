/**
 * 参考数据（GET /meta）：选项及中文名、各状态的中文名、现行隐私政策和单身声明、订阅消息模板 id。
 * 启动后取一次，存在本地缓存里并带 ETag 再验证；页面不再保存自己的选项副本。
 */
const api = require('./api')

const STORE_KEY = 'zg.meta'
let loading = null
let current = null

/** 取参考数据（已取过则直接用；后台按 ETag 再验证一次）。 */
function load() {
  if (current) return Promise.resolve(current)
  if (!loading) {
    const cached = wx.getStorageSync(STORE_KEY) || null
    loading = api
      .request('GET', '/meta', { auth: false, headers: cached ? { 'If-None-Match': cached.etag } : {}, okStatus: [304] })
      .then((res) => {
        if (res.statusCode === 304 && cached) {
          current = cached.data
        } else {
          current = res.data
          wx.setStorageSync(STORE_KEY, { etag: api.header(res, 'ETag') || '', data: current })
        }
        return current
      })
      .catch((err) => {
        if (cached) {
          current = cached.data // 没网时用上次的
          return current
        }
        throw err
      })
      .finally(() => {
        loading = null
      })
  }
  return loading
}

/** 已加载的参考数据（页面在 onLoad 里先 await load()）。 */
function data() {
  return current
}

function options(name) {
  return (current && current[name]) || []
}

/** 某类状态的中文名，如 statusLabel('membership', 'needs_info') → 待补充材料。 */
function statusLabel(kind, value) {
  const found = ((current && current.statuses && current.statuses[kind]) || []).find((o) => o.value === value)
  return found ? found.label : value
}

/** 一项业务要申请的订阅消息模板（一次最多 3 个）。 */
function templates(group) {
  return ((current && current.subscribe_template_groups && current.subscribe_template_groups[group]) || []).slice(0, 3)
}

function forget() {
  current = null
  wx.removeStorageSync(STORE_KEY)
}

module.exports = { load, data, options, statusLabel, templates, forget, STORE_KEY }
