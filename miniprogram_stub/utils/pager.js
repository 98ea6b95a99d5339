/**
 * 分页列表：第一页、下拉刷新重新取，触底加载下一页。有下一页时后端在 X-Next-Cursor 头里给出它的
 * cursor（最后一页没有该头），下一次带 ?cursor= 取。
 *
 *   this.pager = pager.create(this, 'announcements', '/announcements', {query, map})
 *   await this.pager.reload()   // onLoad、onPullDownRefresh
 *   await this.pager.more()     // onReachBottom
 * 页面 data 里：<name>（数组）、<name>More（还有下一页）。
 */
const api = require('./api')
const config = require('../config')

function create(page, name, path, { query = {}, map = (x) => x, auth = true, onResponse = null } = {}) {
  let next = null // {cursor}：下一页
  let loading = null

  function nextOf(res) {
    const cursor = api.header(res, 'X-Next-Cursor')
    return cursor ? { cursor } : null
  }

  async function fetch(position) {
    const res = await api.request('GET', path, {
      auth,
      query: { page_size: config.pageSize, ...query, ...(position || {}) },
    })
    next = nextOf(res)
    if (onResponse) onResponse(res)
    return (res.data || []).map(map)
  }

  return {
    async reload() {
      const items = await fetch(null)
      page.setData({ [name]: items, [`${name}More`]: Boolean(next) })
      return items
    },
    more() {
      if (!next || loading) return loading || Promise.resolve([])
      loading = fetch(next)
        .then((items) => {
          page.setData({ [name]: page.data[name].concat(items), [`${name}More`]: Boolean(next) })
          return items
        })
        .finally(() => {
          loading = null
        })
      return loading
    },
    get hasMore() {
      return Boolean(next)
    },
  }
}

module.exports = { create }
