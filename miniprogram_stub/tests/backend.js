/**
 * 测试直接访问后端（不经过页面）：核对页面做的事真的发生了，以及完成工作人员一侧的步骤
 * （审核入会、设立法援中心和排班、发布活动和竞赛）。
 */
const http = require('http')
const { makeIdNumber } = require('./idcard')

const API = () => process.env.STUB_API_URL
const PASSWORD = 'demo-pass-2026'

function call(method, path, { token, body, headers = {} } = {}) {
  const url = new URL(API() + '/api/v1' + path)
  const payload = body === undefined ? null : JSON.stringify(body)
  const all = { 'Content-Type': 'application/json', ...headers }
  if (token) all.Authorization = `Bearer ${token}`
  if (payload !== null) all['Content-Length'] = Buffer.byteLength(payload)
  return new Promise((resolve, reject) => {
    const req = http.request(
      { hostname: url.hostname, port: url.port, path: url.pathname + url.search, method, headers: all },
      (res) => {
        const chunks = []
        res.on('data', (c) => chunks.push(c))
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8')
          let data = text
          try {
            data = JSON.parse(text)
          } catch (err) {
            data = text
          }
          resolve({ status: res.statusCode, body: data, headers: res.headers })
        })
      }
    )
    req.on('error', reject)
    if (payload !== null) req.write(payload)
    req.end()
  })
}

async function ok(method, path, options) {
  const res = await call(method, path, options)
  if (res.status >= 300) throw new Error(`${method} ${path} → ${res.status} ${JSON.stringify(res.body)}`)
  return res.body
}

/** 同一个 code 登录就是同一个微信用户（openid o_<code>）。 */
async function workerToken(code) {
  return (await ok('POST', '/auth/wechat-login', { body: { code } })).access_token
}

const staffCache = {}
async function staff(username = 'demo_union') {
  if (!staffCache[username]) {
    const body = await ok('POST', '/staff/login', { body: { username, password: PASSWORD } })
    staffCache[username] = { token: body.access_token, id: body.staff.id, org: body.staff.org }
  }
  return staffCache[username]
}

let idSeq = 0
function randomBirthday() {
  const pad = (n) => String(n).padStart(2, '0')
  const r = (n) => Math.floor(Math.random() * n)
  return `${1980 + r(20)}-${pad(1 + r(12))}-${pad(1 + r(28))}`
}

/** 一个合法的入会申请（身份证号每次不同）。 */
function application(orgId, { gender = 'male', name = '张建国', born = randomBirthday() } = {}) {
  idSeq += 1
  return {
    org_id: orgId,
    name,
    gender,
    id_number: makeIdNumber({ born, sequence: idSeq + Math.floor(Math.random() * 400), gender }),
    mobile: `138${String(10000000 + Math.floor(Math.random() * 89999999)).slice(0, 8)}`,
    employer: '临汾市某建筑公司',
    worker_type: 'migrant',
    consent: true,
    consent_version: '2026-01',
  }
}

/** 让 code 对应的微信用户成为 demo_union 所在基层工会的会员（通过 API 申请 + 工作人员批准）。 */
async function makeMember(code, options = {}) {
  const union = await staff('demo_union')
  const token = await workerToken(code)
  const app = await ok('POST', '/membership/applications', { token, body: application(union.org.id, options) })
  await approve(app.id)
  return { token, orgId: union.org.id }
}

async function approve(applicationId) {
  const union = await staff('demo_union')
  return ok('POST', `/staff/membership/applications/${applicationId}/transition`, {
    token: union.token,
    body: { action: 'approve' },
  })
}

module.exports = { call, ok, workerToken, staff, application, makeMember, approve }
