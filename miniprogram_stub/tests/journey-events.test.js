/**
 * 联谊交友：报名成功的出示入场码（画在 canvas 上的二维码）签到；活动结束后给签到的人“心动”
 * （答复丢了重发也只算一次），互相心动后看到对方的联系方式。
 */
const { shim, newDevice, openPage, tap, text, decodeCanvas } = require('./harness')
const backend = require('./backend')

const iso = (minutes) => new Date(Date.now() + minutes * 60 * 1000).toISOString()

test('a member checks in with the ticket QR, marks interest after the event, and sees the mutual match', async () => {
  const union = await backend.staff('demo_union')
  const event = await backend.ok('POST', '/staff/events', {
    token: union.token,
    body: {
      title: '职工之家周末茶话会',
      description: '单身职工交友茶话会',
      place: '职工之家二楼',
      starts_at: iso(60),
      ends_at: iso(120),
      signup_opens_at: iso(-60),
      signup_closes_at: iso(30),
      capacity: 10,
    },
  })
  await backend.ok('POST', `/staff/events/${event.id}/transition`, { token: union.token, body: { action: 'publish' } })
  const declaration = { single_declared: true, declaration_version: '2026-01' }

  const other = await backend.makeMember(newDevice('evother'), { name: '周晓梅', gender: 'female' })
  await backend.ok('POST', `/events/${event.id}/signups`, { token: other.token, body: declaration })
  const theirTicket = await backend.ok('GET', `/events/${event.id}/ticket`, { token: other.token })
  await backend.ok('POST', `/staff/events/${event.id}/check-in`, { token: union.token, body: { token: theirTicket.qr_payload } })

  const code = newDevice('evme')
  const me = await backend.makeMember(code, { name: '吴志强', gender: 'male' })
  const page = await openPage('pages/events/index')
  await tap(page, `#signup-${event.id}`)
  expect(shim.state.toasts).toContain('报名成功')
  await tap(page, `#ticket-${event.id}`)
  expect(text(page, '#ticket')).toContain('职工之家周末茶话会')
  const scanned = decodeCanvas(shim.state.canvases['#ticket-qr'])
  expect(scanned).toBeTruthy()
  const checked = await backend.ok('POST', `/staff/events/${event.id}/check-in`, {
    token: union.token,
    body: { token: scanned },
  })
  expect(checked.signup.checked_in_at).toBeTruthy()
  page.instance.onUnload() // stops the ticket's renewal

  // the organiser records that the event took place (its times move into the past) and closes it
  await backend.ok('PATCH', `/staff/events/${event.id}`, {
    token: union.token,
    body: { signup_opens_at: iso(-300), signup_closes_at: iso(-200), starts_at: iso(-180), ends_at: iso(-60) },
  })
  await backend.ok('POST', `/staff/events/${event.id}/transition`, { token: union.token, body: { action: 'finish' } })

  const mine = await openPage('pages/events/mine') // where the match notification leads
  expect(text(mine, `#mine-${event.id}`)).toContain('已签到')
  expect(mine.querySelector(`#ticket-${event.id}`)).toBeFalsy()
  await tap(mine, `#pick-${event.id}`)
  const [attendee] = mine.instance.data.attendees
  expect(text(mine, `#attendee-${attendee.member_id}`)).toContain('周')
  expect(text(mine, '#pick')).not.toContain('周晓梅') // masked until it is mutual
  await tap(mine, `#attendee-${attendee.member_id}`)
  shim.breakNetwork('/interests', 1, 'drop')
  await tap(mine, '#send-interests')
  expect(text(mine, `#attendee-${attendee.member_id}`)).toContain('已心动')
  expect(mine.querySelector('#matches')).toBeFalsy()
  const posts = shim.state.requests.filter((r) => r.method === 'POST' && r.url.endsWith('/interests'))
  expect(posts).toHaveLength(2)
  expect(posts[0].header['Idempotency-Key']).toBe(posts[1].header['Idempotency-Key'])

  const [meSeen] = await backend.ok('GET', `/events/${event.id}/attendees`, { token: other.token })
  await backend.ok('POST', `/events/${event.id}/interests`, { token: other.token, body: { member_ids: [meSeen.member_id] } })
  await tap(mine, `#pick-${event.id}`)
  expect(text(mine, `#attendee-${attendee.member_id}`)).toContain('互相心动')
  expect(text(mine, '#matches')).toMatch(/电话 1\d{10}/)
  expect(me.token).toBeTruthy()
})
