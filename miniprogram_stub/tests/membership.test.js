/**
 * 登录 → 申请入会（搜索工会、实名表单）→ 工作人员批准 → 会员卡（签名二维码内容可被工作人员核验）。
 */
const { shim, newDevice, openPage, input, change, tap, text, decodeCanvas } = require('./harness')
const backend = require('./backend')
const { makeIdNumber } = require('./idcard')

async function fillApplication(page, union, overrides = {}) {
  const values = {
    name: '李秀兰',
    id_number: makeIdNumber({ born: '1992-08-15', sequence: Math.floor(Math.random() * 500), gender: 'female' }),
    mobile: '13700001111',
    employer: '临汾市某物流公司',
    ...overrides,
  }
  await input(page, '#q', union.org.name.slice(0, 8))
  await tap(page, '#search')
  await tap(page, `#org-${union.org.id}`)
  expect(text(page, '#chosen-org')).toBe(`已选择：${union.org.name}`)
  for (const field of ['name', 'id_number', 'mobile', 'employer']) await input(page, `#${field}`, values[field])
  await change(page, '#gender', 1) // 女
  await change(page, '#worker_type', 3) // 快递员
  return values
}

test('a worker logs in, joins the union, and after approval shows the member card with a QR code', async () => {
  const code = newDevice('join')
  const union = await backend.staff('demo_union')

  let home = await openPage('pages/index/index')
  expect(text(home, '#member')).toContain('您还不是工会会员')
  expect(shim.state.requests[0].url).toMatch(/\/auth\/wechat-login$/)

  const join = await openPage('pages/join/index')
  await fillApplication(join, union)
  await change(join, '#consent', true)
  await tap(join, '#submit')
  expect(text(join, '#application')).toContain('待审核')
  expect(text(join, '#application')).toContain(union.org.name)
  expect(shim.state.subscribeRequests).toEqual([['TPL_REVIEW_RESULT']])

  home = await openPage('pages/index/index')
  expect(text(home, '#application')).toContain('待审核')

  // staff side: the union approves
  const [application] = await backend.ok('GET', '/membership/applications/mine', {
    token: await backend.workerToken(code),
  })
  await backend.approve(application.id)

  home = await openPage('pages/index/index')
  expect(text(home, '#member')).toContain('李秀兰，您好')
  expect(text(home, '#unread')).toMatch(/\d+ 条未读/)

  const card = await openPage('pages/card/index')
  const me = await backend.ok('GET', '/me', { token: await backend.workerToken(code) })
  expect(text(card, '#card-no')).toBe(me.member.card_no)
  expect(text(card, '#card-name')).toBe('李秀兰') // the member's own card carries their own name
  // the QR code drawn on the canvas decodes to the signed payload staff verify
  const payload = decodeCanvas(shim.state.canvases['#card-qr'])
  expect(payload).toBeTruthy()
  const verified = await backend.ok('POST', '/staff/cards/verify', {
    token: union.token,
    body: { payload },
  })
  expect(verified.valid).toBe(true)
})

test('a wrong ID number and a missing consent are shown next to their fields; nothing is filed', async () => {
  const code = newDevice('joinbad')
  const union = await backend.staff('demo_union')
  const join = await openPage('pages/join/index')
  const good = await fillApplication(join, union, { id_number: '141002199208150010' })
  await tap(join, '#submit')

  expect(text(join, '#err-id_number')).toBe('身份证号校验位不正确，请核对')
  expect(text(join, '#err-consent')).toBe('请阅读并同意《隐私政策》后再提交')
  expect(text(join, '#err-name')).toBeNull()
  expect(text(join, '#application')).toBeNull()
  const token = await backend.workerToken(code)
  expect(await backend.ok('GET', '/membership/applications/mine', { token })).toEqual([])

  // gender must match the ID number (the 17th digit): the backend says so next to 性别
  await input(join, '#id_number', makeIdNumber({ born: '1992-08-15', sequence: 9, gender: 'male' }))
  await change(join, '#consent', true)
  await tap(join, '#submit')
  expect(text(join, '#err-gender')).toBe('性别与身份证号不一致，请核对')
  expect(await backend.ok('GET', '/membership/applications/mine', { token })).toEqual([])
  expect(good.name).toBe('李秀兰')
})

test('the card page of a worker who has not joined offers to join', async () => {
  newDevice('nocard')
  const card = await openPage('pages/card/index')
  expect(text(card, '#not-member')).toContain('您还不是工会会员')
  expect(shim.state.toasts).toEqual([])
})

test('a worker who has not joined is offered to join when opening a members-only service', async () => {
  newDevice('home')
  const home = await openPage('pages/index/index')
  await tap(home, '#open-aid')
  expect(shim.state.modals).toEqual([{ title: '请先入会', content: '困难帮扶仅限工会会员使用，现在申请入会吗？' }])
  expect(shim.state.navigations).toEqual(['/pages/join/index'])

  await tap(home, '#open-wage') // wage claims are open to every worker
  expect(shim.state.navigations).toEqual(['/pages/join/index', '/pages/wages/index'])
})
