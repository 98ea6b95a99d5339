/**
 * 页面里的用户操作（点击、提交、加载）：记录进行中的操作，
 * busy 为 true 时按钮置灰，防止重复点击；出错统一提示（字段错误显示在字段旁）。
 */
const { showError } = require('./form')

function track(page, promise) {
  page._inflight = (page._inflight || 0) + 1
  if (page._inflight === 1) page.setData({ busy: true })
  return promise.finally(() => {
    page._inflight -= 1
    if (page._inflight === 0) {
      page.setData({ busy: false })
      const waiters = page._idleWaiters || []
      page._idleWaiters = []
      waiters.forEach((resolve) => resolve())
    }
  })
}

/**
 * 包装一个页面方法。fn 同步开始执行（wx.requestSubscribeMessage 只能在点击事件里同步调用），
 * 返回的 Promise 被记录；exclusive 的操作在上一次未完成时忽略新的点击。
 */
function action(fn, { exclusive = false } = {}) {
  return function wrapped(event) {
    if (exclusive && this._inflight) return Promise.resolve()
    let result
    try {
      result = Promise.resolve(fn.call(this, event))
    } catch (err) {
      result = Promise.reject(err)
    }
    return track(
      this,
      result.catch((err) => showError(this, err))
    )
  }
}

/** 页面上没有进行中的操作时兑现（测试和“下拉刷新”结束时用）。 */
function idle(page) {
  if (!page._inflight) return Promise.resolve()
  return new Promise((resolve) => {
    page._idleWaiters = page._idleWaiters || []
    page._idleWaiters.push(resolve)
  })
}

module.exports = { action, idle, track }
