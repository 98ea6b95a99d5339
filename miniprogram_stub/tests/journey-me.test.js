/**
 * 我的：办过的事的入口、转会和单位建会及其进度、隐私政策、导出我的信息、注销（先说明注销会怎样）。
 */
const { shim, newDevice, openPage, input, change, tap, text } = require('./harness')
const backend = require('./backend')
const { makeCreditCode } = require('./idcard')

test('a member asks to move to another union, follows it on 我的, and withdraws it', async () => {
  const code = newDevice('transfer')
  const { token } = await backend.makeMember(code)
  const union = await backend.staff('demo_union')
  const others = await backend.ok('GET', '/orgs?accepting_members=true&page_size=5')
  const target = others.find((o) => o.id !== union.org.id)

  const me = await openPage('pages/me/index')
  expect(text(me, '#records')).toContain('我的会员卡')
  await tap(me, '#open-transfer')
  expect(shim.state.navigations).toContain('/pages/me/transfer')

  const page = await openPage('pages/me/transfer')
  await tap(page, '#submit')
  expect(text(page, '#err-to_org_id')).toBe('请选择要转入的工会')
  expect(text(page, '#err-reason')).toBe('请填写转会原因')
  await input(page, '#q', target.name)
  await tap(page, '#search')
  await tap(page, `#org-${target.id}`)
  await input(page, '#reason', '换了工作单位')
  shim.breakNetwork('/membership/transfers', 1, 'drop')
  await tap(page, '#submit')
  expect(text(page, '#done')).toContain(`转入 ${target.name}`)
  const transfers = await backend.ok('GET', '/membership/transfers/mine', { token })
  expect(transfers).toHaveLength(1)

  const back = await openPage('pages/me/index') // where transfer notifications lead
  expect(text(back, `#transfer-${transfers[0].id}`)).toContain('待审核')
  await tap(back, `#withdraw-transfer-${transfers[0].id}`)
  expect(text(back, `#transfer-${transfers[0].id}`)).toContain('已撤回')
})

test('an employer applies to found a union and sees the decision with its reason', async () => {
  const code = newDevice('unit')
  const county = await backend.staff('demo_county')
  const [town] = await backend.ok('GET', `/orgs?level=town&parent_id=${county.org.id}&page_size=1`)
  const page = await openPage('pages/me/unit')
  await tap(page, '#submit')
  expect(text(page, '#err-unit_name')).toBe('请填写单位名称')
  expect(text(page, '#err-category')).toBe('请选择单位类别')

  await input(page, '#unit_name', '临汾市某某物流有限公司')
  await input(page, '#credit_code', '91141002000000000X') // wrong check character
  await change(page, '#category', 2) // 非公企业
  await input(page, '#q', town.name)
  await tap(page, '#search')
  await tap(page, `#org-${town.id}`)
  await input(page, '#address', '尧都区工业园 8 号')
  await input(page, '#employee_count', '45')
  await input(page, '#contact_name', '刘经理')
  await input(page, '#contact_phone', '13800001234')
  await tap(page, '#submit')
  expect(text(page, '#err-credit_code')).toBe('统一社会信用代码校验位不正确，请核对')
  const token = await backend.workerToken(code)
  expect(await backend.ok('GET', '/unit-applications/mine', { token })).toEqual([])

  await input(page, '#credit_code', makeCreditCode('141002', Math.floor(Math.random() * 1e6)))
  await tap(page, '#submit')
  expect(text(page, '#done')).toContain('待审核')
  const [application] = await backend.ok('GET', '/unit-applications/mine', { token })
  expect(application).toMatchObject({ unit_name: '临汾市某某物流有限公司', category: 'non_public', org: { id: town.id } })

  await backend.ok('POST', `/staff/unit-applications/${application.id}/transition`, {
    token: county.token,
    body: { action: 'reject', note: '请先召开职工大会推选筹备组' },
  })
  const me = await openPage('pages/me/index')
  expect(text(me, `#unit-${application.id}`)).toContain('未通过')
  expect(text(me, `#unit-${application.id}`)).toContain('请先召开职工大会推选筹备组')
})

test('a member reads the privacy notice, exports their data, and deletes the account after being told what that does', async () => {
  const code = newDevice('erase')
  const { token } = await backend.makeMember(code, { name: '孙丽娟', gender: 'female' })
  const county = await backend.staff('demo_county')
  await backend.ok('POST', '/wage-claims', {
    token,
    body: { org_id: county.org.id, employer: '某劳务公司', project: '某工地', amount_owed: '3000', owed_since: '2026-06-01', contact_phone: '13600001111' },
  })

  const me = await openPage('pages/me/index')
  expect(text(me, '#who')).toContain('孙丽娟')
  await tap(me, '#privacy-link')
  expect(text(me, '#privacy-text')).toContain('您可以在“我的”中导出您的全部信息')

  await tap(me, '#export')
  expect(text(me, '#exported')).toContain('孙丽娟')
  expect(text(me, '#exported')).toContain('入会申请 1 份')
  expect(text(me, '#exported')).toContain('欠薪求助 1 件')
  await tap(me, '#copy-export')
  expect(JSON.parse(shim.state.clipboard).member.name).toBe('孙丽娟')

  shim.state.modalConfirm = false // first the worker backs out
  await tap(me, '#erase')
  expect((await backend.call('GET', '/me', { token })).status).toBe(200)
  shim.state.modalConfirm = true
  await tap(me, '#erase')
  const modal = shim.state.modals[shim.state.modals.length - 1]
  expect(modal.title).toBe('注销并删除我的信息')
  expect(modal.content).toContain('个人信息将被删除')
  expect(modal.content).toContain('无法撤销')
  expect(shim.state.toasts).toContain('已注销，您的个人信息已删除')
  expect(shim.state.navigations).toContain('/pages/index/index')
  expect(shim.state.storage.has('zg.tokens')).toBe(false)
  // the same WeChat user comes back as a stranger
  const again = await backend.ok('POST', '/auth/wechat-login', { body: { code } })
  expect(again.is_member).toBe(false)
})
