/**
 * 欠薪求助的离线暂存：农民工的手机网络常常不好，提交前先把表单和它的 Idempotency-Key 存进本地缓存，
 * 发送成功才删除；网络失败就留着，联网、回到小程序或点“立即重试”时用同一个键再发。
 * 同一个键无论发几次，后端只受理一次（重复的请求返回第一次的结果），所以绝不会重复提交。
 */
const api = require('./api')
const config = require('../config')

const STORE_KEY = 'zg.outbox.wage-claims'
const PATH = '/wage-claims'

function pending() {
  return wx.getStorageSync(STORE_KEY) || []
}

function save(entries) {
  wx.setStorageSync(STORE_KEY, entries)
}

function remove(key) {
  save(pending().filter((entry) => entry.key !== key))
}

function update(key, changes) {
  save(pending().map((entry) => (entry.key === key ? { ...entry, ...changes } : entry)))
}

// 正在发送的键：同一条不会同时发两次（即使同时发，后端也只受理一次）。
const sending = {}

/**
 * 发送一条暂存的求助。结果：
 *   {status: 'sent', claim}        已受理，已从暂存中删除
 *   {status: 'rejected', error}    后端拒绝（如字段有误），已删除，表单交还给用户修改
 *   {status: 'kept', error}        网络不通，留在暂存里稍后再发
 */
async function send(entry) {
  if (sending[entry.key]) return sending[entry.key]
  sending[entry.key] = (async () => {
    try {
      const claim = await api.create(PATH, entry.body, entry.key)
      remove(entry.key)
      return { status: 'sent', claim, entry }
    } catch (err) {
      if (err instanceof api.ApiError && !err.retryable && err.statusCode !== 401) {
        remove(entry.key)
        return { status: 'rejected', error: err, entry }
      }
      update(entry.key, { attempts: (entry.attempts || 0) + 1, lastError: err.message })
      return { status: 'kept', error: err, entry }
    }
  })().finally(() => {
    delete sending[entry.key]
  })
  return sending[entry.key]
}

/** 用户点“提交”：先存下（带新生成的 Idempotency-Key），再发送。 */
function submit(body) {
  const entry = { key: api.newIdempotencyKey(), body, savedAt: Date.now(), attempts: 0 }
  save(pending().concat(entry))
  return send(entry)
}

let flushing = null

/** 把暂存的求助逐条再发一次；同一时刻只有一轮在跑。 */
function flush() {
  if (!flushing) {
    flushing = (async () => {
      const results = []
      for (const entry of pending()) {
        results.push(await send(entry))
      }
      return results
    })().finally(() => {
      flushing = null
    })
  }
  return flushing
}

let started = false

/** 联网时和定时补发（app.js 启动时调用一次）。 */
function start() {
  if (started) return
  started = true
  if (wx.onNetworkStatusChange) {
    wx.onNetworkStatusChange((res) => {
      if (res.isConnected) flush()
    })
  }
  setInterval(() => {
    if (pending().length) flush()
  }, config.outboxRetryMs)
}

module.exports = { pending, submit, flush, start, STORE_KEY }
