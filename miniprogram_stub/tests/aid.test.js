/**
 * 困难帮扶：会员填表提交，大病救助显示参考补助金额；字段错误在字段旁、不创建；非会员被告知先入会。
 */
const { shim, newDevice, openPage, input, change, tap, text } = require('./harness')
const backend = require('./backend')

async function fill(page, values) {
  for (const [field, value] of Object.entries(values)) await input(page, `#${field}`, value)
}

async function mine(code) {
  return backend.ok('GET', '/aid-requests/mine', { token: await backend.workerToken(code) })
}

test('a migrant member asks for serious-illness aid and sees the suggested subsidy', async () => {
  const code = newDevice('aid')
  await backend.makeMember(code) // a migrant worker
  const page = await openPage('pages/aid/index')
  await change(page, '#category', 1) // 大病救助
  await fill(page, {
    household_size: '4',
    monthly_income: '2600',
    situation: '爱人住院手术，家中两个孩子上学，收入不够支付医药费。',
    illness: '尿毒症',
    medical_total: '60000',
    medical_reimbursed: '20000',
    amount_requested: '5000',
  })
  await tap(page, '#submit')

  // net cost 40,000 → tier 3,000, migrant workers +30%
  expect(text(page, '#suggestion')).toContain('参考补助金额：3900.00 元')
  expect(text(page, '#result')).toContain('待受理')
  const requests = await mine(code)
  expect(requests).toHaveLength(1)
  expect(requests[0]).toMatchObject({ category: 'serious_illness', amount_requested: '5000.00', illness: '尿毒症' })
  expect(shim.state.subscribeRequests).toEqual([['TPL_CASE_PROGRESS']])
})

test('reimbursed more than the bill: the message sits next to the field and nothing is filed', async () => {
  const code = newDevice('aidbad')
  await backend.makeMember(code)
  const page = await openPage('pages/aid/index')
  await change(page, '#category', 1)
  await fill(page, {
    household_size: '3',
    monthly_income: '1800',
    situation: '大病住院',
    illness: '白血病',
    medical_total: '10000',
    medical_reimbursed: '12000',
    amount_requested: '3000',
  })
  await tap(page, '#submit')
  expect(text(page, '#err-medical_reimbursed')).toBe('已报销金额不能超过医疗总费用')
  expect(text(page, '#result')).toBeNull()
  expect((await mine(code)).length).toBe(0)
})

test('a worker who is not a member is told to join first', async () => {
  newDevice('aidnm')
  const page = await openPage('pages/aid/index')
  await change(page, '#category', 0)
  await fill(page, { household_size: '2', monthly_income: '1000', situation: '生活困难', amount_requested: '800' })
  await tap(page, '#submit')
  expect(shim.state.toasts).toContain('您还不是工会会员，请先申请入会')
  expect(text(page, '#result')).toBeNull()
})
