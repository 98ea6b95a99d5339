/**
 * 联谊交友：活动列表 → 确认单身声明报名 → 我的报名；满员时候补，取消后候补自动递补。
 */
const { shim, newDevice, openPage, tap, text } = require('./harness')
const backend = require('./backend')

const iso = (hours) => new Date(Date.now() + hours * 3600 * 1000).toISOString()

async function publishEvent(title, capacity) {
  const union = await backend.staff('demo_union')
  const event = await backend.ok('POST', '/staff/events', {
    token: union.token,
    body: {
      title,
      description: '工会组织的单身青年联谊活动',
      place: '临汾市职工之家三楼',
      starts_at: iso(24 * 7),
      ends_at: iso(24 * 7 + 3),
      signup_opens_at: iso(-1),
      signup_closes_at: iso(24 * 6),
      capacity,
    },
  })
  await backend.ok('POST', `/staff/events/${event.id}/transition`, {
    token: union.token,
    body: { action: 'publish' },
  })
  return event
}

test('a member signs up after confirming the declaration, and a cancelled seat goes to the waitlist', async () => {
  const event = await publishEvent('周末读书联谊会', 1)
  const code = newDevice('event')
  await backend.makeMember(code)

  const page = await openPage('pages/events/index')
  expect(text(page, `#event-${event.id}`)).toContain('周末读书联谊会')
  expect(text(page, `#event-${event.id}`)).toContain('剩余名额 1')
  await tap(page, `#signup-${event.id}`)

  expect(shim.state.modals[0].title).toBe('单身声明')
  expect(shim.state.modals[0].content.length).toBeGreaterThan(10)
  expect(shim.state.toasts).toContain('报名成功')
  expect(text(page, `#mine-${event.id}`)).toContain('报名成功')
  expect(page.querySelector(`#signup-${event.id}`)).toBeFalsy()
  expect(shim.state.subscribeRequests).toEqual([['TPL_EVENT_SIGNUP', 'TPL_EVENT_MATCH']])
  const minePage = await openPage('pages/events/mine') // where the sign-up notification leads
  expect(text(minePage, `#mine-${event.id}`)).toContain('报名成功')

  // a second member gets the waitlist
  const other = await backend.makeMember(newDevice('event2'))
  const waiting = await backend.ok('POST', `/events/${event.id}/signups`, {
    token: other.token,
    body: { single_declared: true, declaration_version: '2026-01' },
  })
  expect(waiting.status).toBe('waitlisted')

  shim.reset(code)
  const again = await openPage('pages/events/index')
  await tap(again, `#cancel-${event.id}`)
  expect(text(again, `#mine-${event.id}`)).toContain('已取消')
  const [theirs] = await backend.ok('GET', '/events/mine', { token: other.token })
  expect(theirs.status).toBe('seated')
})

test('a member who declines the declaration is not signed up', async () => {
  const event = await publishEvent('户外徒步联谊', 10)
  const code = newDevice('eventno')
  await backend.makeMember(code)
  const page = await openPage('pages/events/index')
  shim.state.modalConfirm = false
  await tap(page, `#signup-${event.id}`)
  const token = await backend.workerToken(code)
  expect(await backend.ok('GET', '/events/mine', { token })).toEqual([])
  expect(text(page, '#mine')).toContain('还没有报名活动')
})

test('a full event puts the member on the waitlist and says where they stand', async () => {
  const event = await publishEvent('茶艺体验联谊', 1)
  const first = await backend.makeMember(newDevice('eventfull1'))
  await backend.ok('POST', `/events/${event.id}/signups`, {
    token: first.token,
    body: { single_declared: true, declaration_version: '2026-01' },
  })
  const code = newDevice('eventfull2')
  await backend.makeMember(code)
  const page = await openPage('pages/events/index')
  await tap(page, `#signup-${event.id}`)
  expect(shim.state.toasts).toContain('名额已满，已进入候补第 1 位')
  expect(text(page, `#mine-${event.id}`)).toContain('候补第 1 位，前面还有 0 人')
})
