/**
 * 欠薪求助：一屏填写提交；字段错误显示在字段旁且什么也没创建；断网时暂存、联网后用同一个
 * Idempotency-Key 重发，后端只有一件求助。
 */
const { shim, newDevice, openPage, input, change, tap, text } = require('./harness')
const backend = require('./backend')
const outbox = require('../utils/outbox')

async function fillClaim(page, overrides = {}) {
  const values = {
    employer: '临汾市某某建筑劳务公司',
    project: '尧都区滨河小区二期工地',
    amount_owed: '36500.50',
    workers_owed: '3',
    owed_since: '2026-06-01',
    contact_phone: '13912345678',
    ...overrides,
  }
  await change(page, '#region', 0)
  for (const field of ['employer', 'project', 'amount_owed', 'workers_owed', 'contact_phone']) {
    await input(page, `#${field}`, values[field])
  }
  await change(page, '#owed_since', values.owed_since)
}

async function claimsOf(code) {
  const token = await backend.workerToken(code)
  return backend.ok('GET', '/wage-claims/mine', { token })
}

test('a worker reports unpaid wages on one screen and the union has the claim', async () => {
  const code = newDevice('wage')
  const page = await openPage('pages/wages/index')
  expect(page.instance.data.regions.length).toBeGreaterThan(0)

  await fillClaim(page)
  await tap(page, '#submit')

  expect(text(page, '#receipt')).toContain('待受理')
  const claims = await claimsOf(code)
  expect(claims).toHaveLength(1)
  expect(claims[0]).toMatchObject({
    employer: '临汾市某某建筑劳务公司',
    project: '尧都区滨河小区二期工地',
    amount_owed: '36500.50',
    workers_owed: 3,
    owed_since: '2026-06-01',
    org: { id: page.instance.data.regions[0].id },
  })
  expect(claims[0].contact_phone).not.toContain('12345678') // masked
  // the create call carried an Idempotency-Key
  const post = shim.state.requests.find((r) => r.method === 'POST' && r.url.endsWith('/wage-claims'))
  expect(post.header['Idempotency-Key']).toBeTruthy()
  // the subscribe flow ran: WeChat asked, the backend recorded the grant and spent it on the
  // "submitted" message (embedded mode sends right after the commit)
  expect(shim.state.subscribeRequests).toEqual([['TPL_CASE_PROGRESS']])
  const grants = await backend.ok('GET', '/subscriptions', { token: await backend.workerToken(code) })
  expect(grants).toEqual([{ template_id: 'TPL_CASE_PROGRESS', remaining: 0 }])
  expect(outbox.pending()).toEqual([])
})

test('a bad phone number is shown in Chinese next to the field and nothing is filed', async () => {
  const code = newDevice('wagebad')
  const page = await openPage('pages/wages/index')
  await fillClaim(page, { contact_phone: '12345' })
  await tap(page, '#submit')

  expect(text(page, '#err-contact_phone')).toBe('手机号格式不正确，应为11位中国大陆手机号')
  expect(text(page, '#err-employer')).toBeNull()
  expect(text(page, '#receipt')).toBeNull()
  expect(shim.state.toasts).toContain('提交的信息有误，请检查后重试')
  expect(await claimsOf(code)).toEqual([])
  expect(outbox.pending()).toEqual([])
  // the form keeps what the worker typed
  expect(page.instance.data.form.employer).toBe('临汾市某某建筑劳务公司')

  // fixing the field clears its message, and the claim goes through
  await input(page, '#contact_phone', '13912345678')
  expect(text(page, '#err-contact_phone')).toBeNull()
  await tap(page, '#submit')
  expect(await claimsOf(code)).toHaveLength(1)
})

test('offline: the claim is kept with its key and filed exactly once when the network is back', async () => {
  const code = newDevice('wageoff')
  const page = await openPage('pages/wages/index')
  await fillClaim(page)

  shim.breakNetwork('/wage-claims', 4) // the first try and all three retries fail
  await tap(page, '#submit')

  expect(text(page, '#notice')).toContain('已保存在手机上')
  expect(text(page, '#pending')).toContain('待发送（1）')
  const [kept] = outbox.pending()
  expect(kept.attempts).toBe(1)
  expect(await claimsOf(code)).toEqual([])

  // back online, but the first answer is lost on the way: the server filed it, the phone never heard
  shim.breakNetwork('/wage-claims', 1, 'drop')
  await tap(page, '#retry')

  const claims = await claimsOf(code)
  expect(claims).toHaveLength(1)
  expect(text(page, '#receipt')).toContain(String(claims[0].id))
  expect(text(page, '#pending')).toBeNull()
  expect(outbox.pending()).toEqual([])
  const posts = shim.state.requests.filter((r) => r.method === 'POST' && r.url.endsWith('/wage-claims'))
  expect(posts.length).toBe(6) // 4 failed + 1 lost answer + 1 replayed
  expect(new Set(posts.map((r) => r.header['Idempotency-Key']))).toEqual(new Set([kept.key]))
})

test('a claim left on the phone is sent when the page opens again', async () => {
  const code = newDevice('wagelater')
  let page = await openPage('pages/wages/index')
  await fillClaim(page)
  shim.state.network.offline = true
  await tap(page, '#submit')
  expect(outbox.pending()).toHaveLength(1)

  shim.state.network.offline = false
  page = await openPage('pages/wages/index')
  expect(outbox.pending()).toEqual([])
  expect(await claimsOf(code)).toHaveLength(1)
  expect(text(page, '#receipt')).toContain('待受理')
})
