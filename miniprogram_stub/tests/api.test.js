/**
 * The API client on its own, against the real backend: refresh on 401 then re-login, retry with
 * backoff on network errors only, one Idempotency-Key per action reused on every retry.
 */
const { shim, newDevice } = require('./harness')
const api = require('../utils/api')
const config = require('../config')

const calls = (path, method = null) =>
  shim.state.requests.filter((r) => r.url.split('?')[0].endsWith(path) && (!method || r.method === method))

test('logs in with the wx.login code on first use and keeps the tokens', async () => {
  const code = newDevice('login')
  const me = await api.get('/me')
  expect(me.is_member).toBe(false)
  expect(calls('/auth/wechat-login')).toHaveLength(1)
  expect(calls('/auth/wechat-login')[0].data).toEqual({ code })
  await api.get('/me')
  expect(calls('/auth/wechat-login')).toHaveLength(1)
  expect(calls('/me')[1].header.Authorization).toMatch(/^Bearer ey/)
})

test('an access token the server refuses (401) is refreshed once and the call goes through', async () => {
  newDevice('refresh')
  const first = await api.me()
  const stored = wx.getStorageSync(api.TOKENS_KEY)
  wx.setStorageSync(api.TOKENS_KEY, { ...stored, access: 'expired.or.tampered' })

  const again = await api.me()
  expect(again.account_id).toBe(first.account_id)
  expect(calls('/me').map((r) => r.outcome)).toEqual([200, 401, 200])
  expect(calls('/auth/refresh')).toHaveLength(1)
  expect(calls('/auth/wechat-login')).toHaveLength(1)
  expect(wx.getStorageSync(api.TOKENS_KEY).access).not.toBe('expired.or.tampered')
})

test('when the refresh token is refused too, the client logs in again with wx.login', async () => {
  newDevice('relogin')
  const first = await api.me()
  wx.setStorageSync(api.TOKENS_KEY, { access: 'bad', refresh: 'also-bad' })

  const again = await api.me()
  expect(again.account_id).toBe(first.account_id) // same WeChat user, same account
  expect(calls('/auth/refresh').map((r) => r.outcome)).toEqual([401])
  expect(calls('/auth/wechat-login')).toHaveLength(2)
})

test('network errors are retried with growing delays, then reported in Chinese', async () => {
  newDevice('backoff')
  await api.ensureLogin()
  const delays = []
  const realSetTimeout = global.setTimeout
  const spy = jest.spyOn(global, 'setTimeout').mockImplementation((fn, ms, ...rest) => {
    delays.push(ms)
    return realSetTimeout(fn, 0, ...rest)
  })
  try {
    shim.breakNetwork('/me', 2)
    const me = await api.get('/me')
    expect(me.account_id).toBeGreaterThan(0)
    expect(delays).toEqual([config.retry.baseDelayMs, config.retry.baseDelayMs * 2])

    delays.length = 0
    shim.breakNetwork('/me', 10)
    await expect(api.get('/me')).rejects.toMatchObject({ network: true, message: '网络不给力，请检查网络后重试' })
    expect(delays).toEqual([1, 2, 4]) // three retries, capped by maxDelayMs
  } finally {
    spy.mockRestore()
  }
  expect(calls('/me')).toHaveLength(3 + 4)
})

test('a 4xx answer is not retried and carries the API error', async () => {
  newDevice('notfound')
  await expect(api.get('/wage-claims/987654')).rejects.toMatchObject({ statusCode: 404, code: 'not_found' })
  expect(calls('/wage-claims/987654')).toHaveLength(1)
})

test('the same Idempotency-Key replays the first answer and creates nothing new', async () => {
  newDevice('idem')
  const { items } = await api.list('/orgs', { level: 'county' }, { auth: false })
  const body = {
    org_id: items[0].id,
    employer: '某劳务公司',
    project: '某工地',
    amount_owed: '1000.00',
    owed_since: '2026-05-01',
    contact_phone: '13812345678',
  }
  const key = api.newIdempotencyKey()
  const first = await api.create('/wage-claims', body, key)
  const second = await api.request('POST', '/wage-claims', { data: body, idempotencyKey: key })
  expect(second.data.id).toBe(first.id)
  expect(second.header['idempotent-replayed']).toBe('true')
  expect(await api.get('/wage-claims/mine')).toHaveLength(1)
  expect(api.newIdempotencyKey()).not.toBe(key)
})

test('subscribe sends only the templates the user accepted', async () => {
  newDevice('sub')
  shim.state.subscribeAnswer = 'reject'
  expect(await api.subscribe(['TPL_EVENT_SIGNUP'])).toEqual([])
  expect(calls('/subscriptions')).toHaveLength(0)

  shim.state.subscribeAnswer = 'accept'
  const grants = await api.subscribe(['TPL_EVENT_SIGNUP', 'TPL_EVENT_MATCH'])
  expect(grants).toEqual(
    expect.arrayContaining([
      { template_id: 'TPL_EVENT_SIGNUP', remaining: 1 },
      { template_id: 'TPL_EVENT_MATCH', remaining: 1 },
    ])
  )
})
