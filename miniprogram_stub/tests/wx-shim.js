/**
 * 测试用的 wx：wx.request 用 Node 的 http 真正请求临时后端；wx.login 返回当前“设备”的 code
 * （假微信服务器把 code 换成 openid o_<code>）；缓存在内存里；提示框、跳转、订阅请求都记下来供断言。
 *
 * 网络故障：breakNetwork('/wage-claims', 2) 让接下来 2 个地址含 /wage-claims 的请求直接失败（未到达服务器）；
 * breakNetwork('/wage-claims', 1, 'drop') 让请求到达服务器、但响应在路上丢失（最容易造成重复提交的情况）；
 * state.network.offline = true 让所有请求失败。
 */
const http = require('http')

function createShim() {
  const state = {
    code: 'device',
    storage: new Map(),
    toasts: [],
    modals: [],
    navigations: [],
    subscribeRequests: [],
    subscribeAnswer: 'accept',
    modalConfirm: true,
    requests: [],
    network: { rules: [], offline: false },
  }

  function later(fn) {
    Promise.resolve().then(fn)
  }

  function httpRequest(opts, done) {
    const url = new URL(opts.url)
    const method = (opts.method || 'GET').toUpperCase()
    const body = method === 'GET' || opts.data === undefined ? null : JSON.stringify(opts.data)
    const headers = { ...(opts.header || {}) }
    if (body !== null) headers['Content-Length'] = Buffer.byteLength(body)
    const req = http.request(
      { hostname: url.hostname, port: url.port, path: url.pathname + url.search, method, headers },
      (res) => {
        const chunks = []
        res.on('data', (chunk) => chunks.push(chunk))
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8')
          let data = text
          if ((res.headers['content-type'] || '').includes('json')) {
            try {
              data = JSON.parse(text)
            } catch (err) {
              data = text
            }
          }
          done(null, { statusCode: res.statusCode, data, header: res.headers, errMsg: 'request:ok' })
        })
      }
    )
    req.on('error', (err) => done(err))
    if (body !== null) req.write(body)
    req.end()
  }

  const wx = {
    request(opts) {
      const method = (opts.method || 'GET').toUpperCase()
      const record = { method, url: opts.url, header: { ...(opts.header || {}) }, data: opts.data, outcome: null }
      state.requests.push(record)
      const fail = (errMsg) => {
        record.outcome = 'failed'
        later(() => {
          if (opts.fail) opts.fail({ errMsg })
          if (opts.complete) opts.complete({ errMsg })
        })
      }
      const rule = state.network.rules.find((r) => r.times > 0 && opts.url.includes(r.match))
      if (rule) rule.times -= 1
      if (state.network.offline || (rule && rule.mode === 'fail')) {
        fail('request:fail net::ERR_INTERNET_DISCONNECTED')
        return { abort() {} }
      }
      const drop = Boolean(rule && rule.mode === 'drop')
      httpRequest(opts, (err, res) => {
        if (err || drop) {
          fail(err ? `request:fail ${err.message}` : 'request:fail timeout')
          return
        }
        record.outcome = res.statusCode
        if (opts.success) opts.success(res)
        if (opts.complete) opts.complete(res)
      })
      return { abort() {} }
    },

    login(opts = {}) {
      later(() => opts.success && opts.success({ code: state.code, errMsg: 'login:ok' }))
    },

    setStorageSync(key, value) {
      state.storage.set(key, JSON.parse(JSON.stringify(value)))
    },
    getStorageSync(key) {
      return state.storage.has(key) ? JSON.parse(JSON.stringify(state.storage.get(key))) : ''
    },
    removeStorageSync(key) {
      state.storage.delete(key)
    },
    clearStorageSync() {
      state.storage.clear()
    },

    requestSubscribeMessage(opts) {
      state.subscribeRequests.push(opts.tmplIds.slice())
      const res = { errMsg: 'requestSubscribeMessage:ok' }
      opts.tmplIds.forEach((id) => {
        res[id] = state.subscribeAnswer
      })
      later(() => opts.success && opts.success(res))
    },

    showToast(opts) {
      state.toasts.push(opts.title)
    },
    showModal(opts) {
      state.modals.push({ title: opts.title, content: opts.content })
      const res = { confirm: state.modalConfirm, cancel: !state.modalConfirm }
      later(() => opts.success && opts.success(res))
    },
    showLoading() {},
    hideLoading() {},
    stopPullDownRefresh() {},
    navigateTo(opts) {
      state.navigations.push(opts.url)
    },
    redirectTo(opts) {
      state.navigations.push(opts.url)
    },
    navigateBack() {
      state.navigations.push('back')
    },
    onNetworkStatusChange(fn) {
      state.networkListeners = (state.networkListeners || []).concat(fn)
    },
  }

  return {
    wx,
    state,
    /** 换一台“手机”：新的微信用户（openid o_<code>），清空缓存和记录。 */
    reset(code) {
      state.code = code
      state.storage.clear()
      state.toasts.length = 0
      state.modals.length = 0
      state.navigations.length = 0
      state.subscribeRequests.length = 0
      state.requests.length = 0
      state.subscribeAnswer = 'accept'
      state.modalConfirm = true
      Object.assign(state.network, { rules: [], offline: false })
    },
    breakNetwork(match, times, mode = 'fail') {
      state.network.rules.push({ match, times, mode })
    },
  }
}

module.exports = { createShim }
