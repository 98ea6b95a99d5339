/**
 * 测试用的 wx：wx.request 用 Node 的 http 真正请求临时后端；wx.login 返回当前“设备”的 code
 * （假微信服务器把 code 换成 openid o_<code>）；缓存在内存里；提示框、跳转、订阅请求都记下来供断言。
 *
 * 网络故障：breakNetwork('/wage-claims', 2) 让接下来 2 个地址含 /wage-claims 的请求直接失败（未到达服务器）；
 * breakNetwork('/wage-claims', 1, 'drop') 让请求到达服务器、但响应在路上丢失（最容易造成重复提交的情况）；
 * state.network.offline = true 让所有请求失败。
 */
const fs = require('fs')
const http = require('http')
const path = require('path')

/** 测试里的 canvas 2d：只实现画二维码用到的 fillStyle/fillRect，记下每个矩形供解码。 */
function fakeCanvas() {
  const canvas = {
    width: 300,
    height: 150,
    rects: [],
    getContext() {
      const ctx = {
        fillStyle: '#000000',
        fillRect(x, y, w, h) {
          if (x === 0 && y === 0 && w >= canvas.width && h >= canvas.height) canvas.rects = []
          canvas.rects.push({ x, y, w, h, color: ctx.fillStyle })
        },
      }
      return ctx
    },
  }
  return canvas
}

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
    uploads: [],
    media: [],
    canvases: {},
    clipboard: null,
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

  /** 网络规则：返回 'fail'、'drop' 或 null（正常）。 */
  function networkFate(url) {
    const rule = state.network.rules.find((r) => r.times > 0 && url.includes(r.match))
    if (rule) rule.times -= 1
    if (state.network.offline || (rule && rule.mode === 'fail')) return 'fail'
    return rule && rule.mode === 'drop' ? 'drop' : null
  }

  function multipartUpload(opts, done) {
    const url = new URL(opts.url)
    const boundary = `----zg${Date.now().toString(16)}${Math.random().toString(16).slice(2)}`
    const file = fs.readFileSync(opts.filePath)
    const head = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="${opts.name}"; filename="${path.basename(opts.filePath)}"\r\n` +
        'Content-Type: application/octet-stream\r\n\r\n'
    )
    const body = Buffer.concat([head, file, Buffer.from(`\r\n--${boundary}--\r\n`)])
    const headers = { ...(opts.header || {}), 'Content-Type': `multipart/form-data; boundary=${boundary}`, 'Content-Length': body.length }
    const req = http.request({ hostname: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers }, (res) => {
      const chunks = []
      res.on('data', (c) => chunks.push(c))
      res.on('end', () => done(null, { statusCode: res.statusCode, data: Buffer.concat(chunks).toString('utf8'), errMsg: 'uploadFile:ok' }))
    })
    req.on('error', (err) => done(err))
    req.write(body)
    req.end()
  }

  const wx = {
    chooseMedia(opts) {
      const files = state.media.splice(0, opts.count || 9)
      later(() => {
        if (!files.length) {
          if (opts.fail) opts.fail({ errMsg: 'chooseMedia:fail cancel' })
          return
        }
        opts.success({ tempFiles: files.map((f) => ({ tempFilePath: f, size: fs.statSync(f).size, fileType: 'image' })) })
      })
    },

    uploadFile(opts) {
      const record = { url: opts.url, filePath: opts.filePath, outcome: null }
      state.uploads.push(record)
      const listeners = []
      const fate = networkFate(opts.url)
      const fail = (errMsg) => {
        record.outcome = 'failed'
        later(() => opts.fail && opts.fail({ errMsg }))
      }
      if (fate === 'fail') {
        fail('uploadFile:fail net::ERR_INTERNET_DISCONNECTED')
      } else {
        later(() => listeners.forEach((fn) => fn({ progress: 50, totalBytesSent: 1, totalBytesExpectedToSend: 2 })))
        multipartUpload(opts, (err, res) => {
          if (err || fate === 'drop') {
            fail(err ? `uploadFile:fail ${err.message}` : 'uploadFile:fail timeout')
            return
          }
          record.outcome = res.statusCode
          listeners.forEach((fn) => fn({ progress: 100, totalBytesSent: 2, totalBytesExpectedToSend: 2 }))
          if (opts.success) opts.success(res)
        })
      }
      return { onProgressUpdate: (fn) => listeners.push(fn), abort() {} }
    },

    createSelectorQuery() {
      let selector = null
      const query = {
        in() {
          return query
        },
        select(sel) {
          selector = sel
          return query
        },
        fields() {
          return query
        },
        exec(cb) {
          state.canvases[selector] = state.canvases[selector] || fakeCanvas()
          later(() => cb([{ node: state.canvases[selector], width: 240, height: 240 }]))
        },
      }
      return query
    },

    getWindowInfo() {
      return { pixelRatio: 1, windowWidth: 360, windowHeight: 640 }
    },

    pageScrollTo(opts) {
      state.scrolledTo = opts.selector || opts.scrollTop
    },

    setClipboardData(opts) {
      state.clipboard = opts.data
      later(() => opts.success && opts.success({}))
    },

    reLaunch(opts) {
      state.navigations.push(opts.url)
    },

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
      const fate = networkFate(opts.url)
      if (fate === 'fail') {
        fail('request:fail net::ERR_INTERNET_DISCONNECTED')
        return { abort() {} }
      }
      const drop = fate === 'drop'
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
      state.uploads.length = 0
      state.media.length = 0
      state.canvases = {}
      state.clipboard = null
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
