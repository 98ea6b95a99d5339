/**
 * 后端 API 客户端：所有页面只通过这里访问 /api/v1。
 *
 * - 登录：wx.login 的 code 换令牌（POST /auth/wechat-login），令牌存在本地缓存；
 * - 401：先用刷新令牌换一次（POST /auth/refresh），仍不行就重新 wx.login；
 * - 创建类请求带 Idempotency-Key：一次用户操作生成一个，重试时沿用，后端保证不会重复创建；
 * - 网络错误（以及 502/503/504、“请求正在处理中”）按退避间隔重试，4xx 不重试；
 * - 错误统一为 ApiError {statusCode, code, message, errors:{字段:[消息]}}，页面据此在字段旁显示。
 */
const config = require('../config')

const TOKENS_KEY = 'zg.tokens'
const SUMMARY_KEY = 'zg.summary'
const RETRY_STATUS = [502, 503, 504]
const NETWORK_MESSAGE = '网络不给力，请检查网络后重试'

class ApiError extends Error {
  constructor({ statusCode = 0, code = 'error', message = '操作失败，请稍后再试', errors = {}, network = false }) {
    super(message)
    this.statusCode = statusCode
    this.code = code
    this.errors = errors || {}
    this.network = network
  }

  /** 值得原样再试一次：网络不通、网关错误、同一请求正在处理中。 */
  get retryable() {
    return this.network || RETRY_STATUS.includes(this.statusCode) || this.code === 'request_in_progress'
  }
}

// --- 底层请求 ----------------------------------------------------------------------------------------
function buildUrl(path, query) {
  let url = config.baseUrl + config.apiPrefix + path
  const pairs = Object.keys(query || {})
    .filter((name) => query[name] !== undefined && query[name] !== null && query[name] !== '')
    .map((name) => `${encodeURIComponent(name)}=${encodeURIComponent(query[name])}`)
  if (pairs.length) url += (url.includes('?') ? '&' : '?') + pairs.join('&')
  return url
}

function header(res, name) {
  const headers = res.header || {}
  const found = Object.keys(headers).find((key) => key.toLowerCase() === name.toLowerCase())
  return found ? headers[found] : undefined
}

function toError(res) {
  const body = res.data && typeof res.data === 'object' ? res.data : {}
  return new ApiError({
    statusCode: res.statusCode,
    code: body.code || `http_${res.statusCode}`,
    message: body.message || `服务器返回错误（${res.statusCode}）`,
    errors: body.errors,
  })
}

function rawRequest({ method, path, query, data, headers }) {
  return new Promise((resolve, reject) => {
    wx.request({
      url: buildUrl(path, query),
      method,
      data: method === 'GET' ? undefined : data || {},
      header: headers,
      timeout: config.timeoutMs,
      success: resolve,
      fail: (err) =>
        reject(new ApiError({ code: 'network_error', message: NETWORK_MESSAGE, network: true, detail: err && err.errMsg })),
    })
  })
}

function delay(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

function backoff(attempt) {
  const { baseDelayMs, maxDelayMs } = config.retry
  return Math.min(maxDelayMs, baseDelayMs * 2 ** attempt)
}

/** 发一个请求；网络类错误按退避重试（最多 retries 次），2xx 返回响应，其余抛 ApiError。 */
async function send(options) {
  const retries = options.retries === undefined ? config.retry.attempts : options.retries
  for (let attempt = 0; ; attempt += 1) {
    try {
      const res = await rawRequest(options)
      if ((res.statusCode >= 200 && res.statusCode < 300) || (options.okStatus || []).includes(res.statusCode)) return res
      throw toError(res)
    } catch (err) {
      if (!(err instanceof ApiError) || !err.retryable || attempt >= retries) throw err
      await delay(backoff(attempt))
    }
  }
}

// --- 令牌 ----------------------------------------------------------------------------------------------
function tokens() {
  return wx.getStorageSync(TOKENS_KEY) || null
}

function saveTokens(body) {
  wx.setStorageSync(TOKENS_KEY, { access: body.access_token, refresh: body.refresh_token })
}

function saveSummary(body) {
  const summary = {
    account_id: body.account_id,
    is_member: body.is_member,
    member: body.member || null,
    application: body.application || null,
  }
  wx.setStorageSync(SUMMARY_KEY, summary)
  return summary
}

function wxLogin() {
  return new Promise((resolve, reject) => {
    wx.login({
      success: (res) => resolve(res.code),
      fail: () => reject(new ApiError({ code: 'wx_login_failed', message: '微信登录失败，请稍后重试', network: true })),
    })
  })
}

// 同一时刻只进行一次登录 / 刷新，其余调用等它的结果。
let loggingIn = null
let renewing = null

/** wx.login → POST /auth/wechat-login；返回会员概况 {is_member, member, application}。 */
function login() {
  if (!loggingIn) {
    loggingIn = (async () => {
      const code = await wxLogin()
      const res = await send({ method: 'POST', path: '/auth/wechat-login', data: { code }, headers: jsonHeaders() })
      saveTokens(res.data)
      return saveSummary(res.data)
    })().finally(() => {
      loggingIn = null
    })
  }
  return loggingIn
}

async function ensureLogin() {
  if (!tokens()) await login()
}

/** 401 之后：先用刷新令牌换新令牌，刷新令牌也失效就重新登录。 */
function renewSession() {
  if (!renewing) {
    renewing = (async () => {
      const current = tokens()
      if (current && current.refresh) {
        try {
          const res = await send({
            method: 'POST',
            path: '/auth/refresh',
            headers: { ...jsonHeaders(), Authorization: `Bearer ${current.refresh}` },
          })
          saveTokens(res.data)
          return
        } catch (err) {
          if (err.network) throw err
        }
      }
      wx.removeStorageSync(TOKENS_KEY)
      await login()
    })().finally(() => {
      renewing = null
    })
  }
  return renewing
}

function jsonHeaders() {
  return { 'Content-Type': 'application/json' }
}

function authHeaders(extra) {
  const current = tokens()
  return { ...jsonHeaders(), ...extra, Authorization: `Bearer ${current ? current.access : ''}` }
}

// --- 对外的调用 ------------------------------------------------------------------------------------------
/**
 * 调用 API。options: {query, data, auth(默认 true), idempotencyKey, retries, headers, okStatus}
 * 返回 {data, statusCode, header}。
 */
async function request(method, path, options = {}) {
  const extra = { ...(options.headers || {}) }
  if (options.idempotencyKey) extra['Idempotency-Key'] = options.idempotencyKey
  const base = { method, path, query: options.query, data: options.data, retries: options.retries, okStatus: options.okStatus }
  if (options.auth === false) return send({ ...base, headers: { ...jsonHeaders(), ...extra } })
  await ensureLogin()
  try {
    return await send({ ...base, headers: authHeaders(extra) })
  } catch (err) {
    if (err.statusCode !== 401) throw err
    await renewSession()
    return send({ ...base, headers: authHeaders(extra) })
  }
}

async function get(path, query, options = {}) {
  const res = await request('GET', path, { ...options, query })
  return res.data
}

/** 列表：返回 {items, nextCursor}（下一页的 cursor 来自 X-Next-Cursor 头，最后一页为 null）。 */
async function list(path, query, options = {}) {
  const res = await request('GET', path, { ...options, query: { page_size: 50, ...query } })
  return { items: res.data, nextCursor: header(res, 'X-Next-Cursor') || null, header: res.header }
}

async function post(path, data, options = {}) {
  const res = await request('POST', path, { ...options, data })
  return res.data
}

/** 一次用户操作一个键；重试时沿用同一个键。 */
function newIdempotencyKey() {
  const random = () => Math.floor(Math.random() * 0x100000000).toString(16).padStart(8, '0')
  return `${Date.now().toString(16)}-${random()}-${random()}-${random()}`
}

/** 创建类请求：idempotencyKey 由调用方在用户点击时生成，重试、重新提交时沿用。 */
function create(path, data, idempotencyKey, options = {}) {
  return post(path, data, { ...options, idempotencyKey })
}

/**
 * 页面上的一次“提交”：同一份内容在网络失败后再点一次，沿用上次的 Idempotency-Key（上次可能其实
 * 已经受理，后端会返回那次的结果）；内容改了、或已有明确答复（成功或 4xx），下次就换新键。
 */
async function submit(holder, path, body) {
  const json = JSON.stringify([path, body])
  if (!holder._submission || holder._submission.json !== json) {
    holder._submission = { json, key: newIdempotencyKey() }
  }
  try {
    const result = await create(path, body, holder._submission.key)
    holder._submission = null
    return result
  } catch (err) {
    if (!(err instanceof ApiError) || !err.retryable) holder._submission = null
    throw err
  }
}

// --- 附件上传 -----------------------------------------------------------------------------------------
function rawUpload(filePath, onProgress) {
  return new Promise((resolve, reject) => {
    const task = wx.uploadFile({
      url: buildUrl('/uploads'),
      filePath,
      name: 'file',
      header: { Authorization: authHeaders().Authorization },
      timeout: config.uploadTimeoutMs,
      success: (res) => {
        let data = res.data
        try {
          data = typeof data === 'string' ? JSON.parse(data) : data
        } catch (err) {
          data = {}
        }
        const out = { ...res, data }
        if (res.statusCode >= 200 && res.statusCode < 300) resolve(out)
        else reject(toError(out))
      },
      fail: (err) =>
        reject(new ApiError({ code: 'network_error', message: NETWORK_MESSAGE, network: true, detail: err && err.errMsg })),
    })
    if (task && task.onProgressUpdate && onProgress) task.onProgressUpdate((p) => onProgress(p.progress))
  })
}

/**
 * 上传一个附件（wx.uploadFile → POST /uploads），返回 {id, ...}。网络错误按退避重试，401 换令牌后再传。
 * 上传只存文件、不改任何案件：重传最多多出一个没人引用的文件，提交时只带成功拿到的 id。
 */
async function upload(filePath, onProgress) {
  await ensureLogin()
  for (let attempt = 0; ; attempt += 1) {
    try {
      return (await rawUpload(filePath, onProgress)).data
    } catch (err) {
      if (err.statusCode === 401 && attempt === 0) {
        await renewSession()
        continue
      }
      if (!(err instanceof ApiError) || !err.retryable || attempt >= config.retry.attempts) throw err
      await delay(backoff(attempt))
    }
  }
}

/** 当前账号与会员状态（GET /me），顺便更新本地缓存。 */
async function me() {
  return saveSummary(await get('/me'))
}

function cachedSummary() {
  return wx.getStorageSync(SUMMARY_KEY) || null
}

/**
 * 订阅消息：wx.requestSubscribeMessage（须在点击事件里调用），把用户“允许”的模板告诉后端，
 * 每允许一次后端可发一条。用户拒绝或接口不可用时静默跳过——订阅不影响业务本身。
 */
function subscribe(templateIds) {
  const ids = (templateIds || []).slice(0, 3)
  if (!ids.length || typeof wx.requestSubscribeMessage !== 'function') return Promise.resolve([])
  return new Promise((resolve) => {
    wx.requestSubscribeMessage({
      tmplIds: ids,
      success: (res) => resolve(ids.filter((id) => res[id] === 'accept')),
      fail: () => resolve([]),
    })
  }).then((accepted) => {
    if (!accepted.length) return []
    // No automatic retry: each POST adds grants, and a repeat after a lost answer would count an
    // acceptance twice (the backend has no Idempotency-Key on this endpoint).
    return post('/subscriptions', { template_ids: accepted }, { retries: 0 }).catch(() => [])
  })
}

function logout() {
  wx.removeStorageSync(TOKENS_KEY)
  wx.removeStorageSync(SUMMARY_KEY)
}

module.exports = {
  ApiError,
  request,
  get,
  list,
  post,
  create,
  submit,
  login,
  ensureLogin,
  me,
  cachedSummary,
  subscribe,
  logout,
  newIdempotencyKey,
  upload,
  header,
  TOKENS_KEY,
}
