/**
 * 法律援助：中心 → 时段 → 预约 → 我的预约 → 选原因取消（时段重新开放）；改约到另一个空闲时段；
 * 同一时段不能被第二个人预约。
 */
const { shim, newDevice, openPage, change, tap, text, input } = require('./harness')
const backend = require('./backend')

let center

beforeAll(async () => {
  // staff side: the county sets up a centre, registers the demo lawyer and a weekly schedule
  const county = await backend.staff('demo_county')
  const lawyerAccount = await backend.staff('demo_lawyer')
  center = await backend.ok('POST', '/staff/legal-aid/centers', {
    token: county.token,
    body: { org_id: county.org.id, name: '尧都区职工维权中心', address: '尧都区解放路 1 号', phone: '0357-1234567' },
  })
  const lawyer = await backend.ok('POST', '/staff/legal-aid/lawyers', {
    token: county.token,
    body: { staff_id: lawyerAccount.id, center_id: center.id, title: '山西某律师事务所', specialties: ['劳动争议'] },
  })
  for (let weekday = 0; weekday < 7; weekday += 1) {
    await backend.ok('POST', `/staff/legal-aid/lawyers/${lawyer.id}/schedules`, {
      token: county.token,
      body: { weekday, start_time: '09:00', end_time: '12:00', slot_minutes: 60, modes: ['in_person', 'phone'] },
    })
  }
})

/** A slot far enough ahead that it may still be cancelled online. */
function laterSlot(page) {
  const soon = Date.now() + 6 * 3600 * 1000
  return page.instance.data.slots.find((s) => Date.parse(s.starts_at) > soon)
}

test('a member books a consultation slot, sees it under my bookings, and cancels it', async () => {
  const code = newDevice('legal')
  await backend.makeMember(code)
  const page = await openPage('pages/legal/index')
  expect(text(page, `#center-${center.id}`)).toContain('尧都区职工维权中心')

  await tap(page, `#center-${center.id}`)
  const slot = laterSlot(page)
  expect(text(page, `#slot-${slot.id}`)).toContain('律师')
  await tap(page, `#slot-${slot.id}`)
  await change(page, '#topic', 1) // 工资报酬
  await change(page, '#mode', 1) // 电话
  await input(page, '#description', '老板拖欠三个月工资')
  await tap(page, '#book')

  const token = await backend.workerToken(code)
  const [booking] = await backend.ok('GET', '/legal-aid/bookings/mine', { token })
  expect(booking).toMatchObject({ slot_id: slot.id, topic: 'wages', mode: 'phone', status: 'booked' })
  expect(text(page, `#booking-${booking.id}`)).toContain('工资报酬')
  expect(page.instance.data.slots.find((s) => s.id === slot.id)).toBeUndefined()
  expect(shim.state.subscribeRequests).toEqual([['TPL_LEGAL_BOOKING', 'TPL_LEGAL_REMINDER', 'TPL_LEGAL_RESULT']])

  const minePage = await openPage('pages/legal/mine') // where the booking notification leads
  expect(text(minePage, `#booking-${booking.id}`)).toContain('工资报酬')

  await tap(page, `#cancel-${booking.id}`)
  await tap(page, '#confirm-cancel') // no reason chosen yet
  expect(text(page, '#err-reason')).toBe('请选择取消原因')
  await change(page, '#cancel-reason', 1) // 问题已经解决
  await tap(page, '#confirm-cancel')
  expect(shim.state.modals.map((m) => m.title)).toContain('取消预约')
  const [cancelled] = await backend.ok('GET', '/legal-aid/bookings/mine', { token })
  expect(cancelled.status).toBe('cancelled')
  expect(cancelled.cancel_reason).toBe('问题已经解决')
  expect(text(page, `#booking-${booking.id}`)).toContain(cancelled.status_label)
  expect(page.querySelector(`#cancel-${booking.id}`)).toBeFalsy()
  // the slot is free again
  const free = await backend.ok('GET', `/legal-aid/slots?center_id=${center.id}&page_size=100`)
  expect(free.map((s) => s.id)).toContain(slot.id)
})

test('a slot someone else took meanwhile is refused with the reason, and nothing is booked', async () => {
  const code = newDevice('legal2')
  await backend.makeMember(code)
  const page = await openPage('pages/legal/index')
  await tap(page, `#center-${center.id}`)
  const slot = laterSlot(page)
  await tap(page, `#slot-${slot.id}`)
  await change(page, '#topic', 0)
  await change(page, '#mode', 0)

  // another member books the same slot first
  const other = await backend.makeMember(newDevice('legal3'))
  shim.reset(code) // back to our phone (its storage is gone: it logs in again, same WeChat user)
  await backend.ok('POST', '/legal-aid/bookings', {
    token: other.token,
    body: { slot_id: slot.id, topic: 'other', mode: 'in_person' },
  })

  await tap(page, '#book')
  const message = shim.state.toasts[shim.state.toasts.length - 1]
  expect(message).toBe('手慢了，该时段已被其他职工预约，请选择其他时段')
  const token = await backend.workerToken(code)
  expect(await backend.ok('GET', '/legal-aid/bookings/mine', { token })).toEqual([])
})

test('a member moves a booking to another free slot and the old slot opens up again', async () => {
  const code = newDevice('move')
  const { token } = await backend.makeMember(code)
  const free = await backend.ok('GET', `/legal-aid/slots?center_id=${center.id}&page_size=100`)
  const later = free.filter((s) => Date.parse(s.starts_at) > Date.now() + 48 * 3600 * 1000)
  const [first, second] = later
  const booking = await backend.ok('POST', '/legal-aid/bookings', {
    token,
    body: { slot_id: first.id, topic: 'work_injury', mode: 'in_person' },
  })

  const page = await openPage('pages/legal/mine') // where the booking notification leads
  await tap(page, `#move-${booking.id}`)
  expect(text(page, '#move-form')).toContain(center.name)
  await tap(page, `#move-slot-${second.id}`)
  expect(shim.state.modals.map((m) => m.title)).toContain('改约')
  const [moved] = await backend.ok('GET', '/legal-aid/bookings/mine', { token })
  expect(moved).toMatchObject({ id: booking.id, slot_id: second.id, status: 'booked', reschedule_count: 1 })
  expect(text(page, `#booking-${booking.id}`)).toContain(moved.starts_at.slice(0, 10))
  const slots = await backend.ok('GET', `/legal-aid/slots?center_id=${center.id}&page_size=100`)
  expect(slots.map((s) => s.id)).toContain(first.id)
  expect(slots.map((s) => s.id)).not.toContain(second.id)

  // cancelling asks why; "其他原因" wants the reason written out
  await tap(page, `#cancel-${booking.id}`)
  await change(page, '#cancel-reason', 3)
  await tap(page, '#confirm-cancel')
  expect(text(page, '#err-reason')).toBe('请填写具体原因')
  await input(page, '#cancel-other', '单位临时安排出差')
  await tap(page, '#confirm-cancel')
  const [cancelled] = await backend.ok('GET', '/legal-aid/bookings/mine', { token })
  expect(cancelled).toMatchObject({ status: 'cancelled', cancel_reason: '单位临时安排出差' })
  expect(text(page, `#booking-${booking.id}`)).toContain('取消原因：单位临时安排出差')
})

