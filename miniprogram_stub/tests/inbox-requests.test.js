/**
 * 消息（未读、标记已读、全部已读）和我的求助（欠薪、帮扶及其状态，撤回帮扶申请，待发送的欠薪求助）。
 */
const { shim, newDevice, openPage, tap, text } = require('./harness')
const backend = require('./backend')

async function fileClaim(token, county) {
  return backend.ok('POST', '/wage-claims', {
    token,
    body: {
      org_id: county.org.id,
      employer: '临汾市某某劳务公司',
      project: '解放路工地',
      amount_owed: '8800.00',
      owed_since: '2026-07-01',
      contact_phone: '13600002222',
    },
  })
}

test('my requests shows wage claims and aid requests with their status, and an aid request can be withdrawn', async () => {
  const code = newDevice('mine')
  const { token } = await backend.makeMember(code)
  const county = await backend.staff('demo_county')
  const claim = await fileClaim(token, county)
  await backend.ok('POST', `/staff/wage-claims/${claim.id}/transition`, {
    token: county.token,
    body: { action: 'accept' },
  })
  const aid = await backend.ok('POST', '/aid-requests', {
    token,
    body: {
      category: 'living_hardship',
      household_size: 3,
      monthly_income: '1500',
      situation: '家中老人常年卧病',
      amount_requested: '2000',
    },
  })

  const page = await openPage('pages/requests/index')
  expect(text(page, `#wage-${claim.id}`)).toContain('已受理')
  expect(text(page, `#wage-${claim.id}`)).toContain('8800.00 元')
  expect(text(page, `#aid-${aid.id}`)).toContain('生活困难')
  expect(text(page, `#aid-${aid.id}`)).toContain('待受理')

  await tap(page, `#withdraw-${aid.id}`)
  const after = await backend.ok('GET', `/aid-requests/${aid.id}`, { token })
  expect(after.status).toBe('withdrawn')
  expect(text(page, `#aid-${aid.id}`)).toContain(after.status_label)
  expect(page.querySelector(`#withdraw-${aid.id}`)).toBeFalsy()
})

test('a wage claim still on the phone is listed as waiting and can be sent from my requests', async () => {
  const code = newDevice('minepending')
  const wage = await openPage('pages/wages/index')
  shim.state.network.offline = true
  wage.instance.setData({
    regionIndex: 0,
    form: {
      employer: '某装修队',
      project: '河汾路小区',
      amount_owed: '4200',
      workers_owed: '1',
      owed_since: '2026-08-01',
      contact_phone: '13500003333',
      contact_name: '',
      description: '',
    },
  })
  await tap(wage, '#submit')
  shim.state.network.offline = false

  const page = await openPage('pages/requests/index')
  // nothing filed yet: the claim waits on the phone
  expect(text(page, '#pending')).toContain('某装修队 · 4200 元')
  await tap(page, '#retry')
  expect(text(page, '#pending')).toBeNull()
  const claims = await backend.ok('GET', '/wage-claims/mine', { token: await backend.workerToken(code) })
  expect(claims).toHaveLength(1)
  expect(text(page, `#wage-${claims[0].id}`)).toContain('待受理')
})

test('the inbox shows unread notifications, marks one read on open, and all read at once', async () => {
  const code = newDevice('inbox')
  const { token } = await backend.makeMember(code) // approval → a notification
  const county = await backend.staff('demo_county')
  await fileClaim(token, county) // submission → another
  const before = (await backend.ok('GET', '/notifications/unread-count', { token })).unread
  expect(before).toBeGreaterThanOrEqual(2)

  const page = await openPage('pages/inbox/index')
  expect(text(page, '#unread')).toBe(`${before} 条未读`)
  const [first] = page.instance.data.notifications
  expect(text(page, `#n-${first.id}`)).toContain(first.title)

  await tap(page, `#n-${first.id}`)
  expect((await backend.ok('GET', '/notifications/unread-count', { token })).unread).toBe(before - 1)
  expect(text(page, '#unread')).toBe(`${before - 1} 条未读`)
  expect(shim.state.navigations).toEqual([`/${first.page}`])
  expect(require('../app.json').pages).toContain(first.page) // the link leads to a page of the app

  await tap(page, '#read-all')
  expect((await backend.ok('GET', '/notifications/unread-count', { token })).unread).toBe(0)
  expect(text(page, '#unread')).toBeNull()
})
