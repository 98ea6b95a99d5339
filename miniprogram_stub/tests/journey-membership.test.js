/**
 * 入会：空着提交得到“请填写…”；工会退回补充材料后表单带着原内容回来、重新提交；撤回后可以重新申请；
 * 网络把提交的答复弄丢了，自动重发也只有一份申请。会员卡：二维码画在 canvas 上、能被工作人员核验，过期前自动换新。
 */
const { shim, newDevice, openPage, input, change, tap, text, decodeCanvas, waitFor } = require('./harness')
const backend = require('./backend')
const config = require('../config')
const { makeIdNumber } = require('./idcard')

async function fill(page, union, { id = makeIdNumber({ born: '1990-05-01', sequence: Math.floor(Math.random() * 400), gender: 'male' }) } = {}) {
  await input(page, '#q', union.org.name.slice(0, 8))
  await tap(page, '#search')
  await tap(page, `#org-${union.org.id}`)
  await input(page, '#name', '王建军')
  await input(page, '#id_number', id)
  await input(page, '#mobile', '13912345678')
  await input(page, '#employer', '临汾市某建筑公司')
  await change(page, '#gender', 0) // 男
  await change(page, '#worker_type', 1) // 农民工
  await change(page, '#consent', true)
}

async function applications(code) {
  return backend.ok('GET', '/membership/applications/mine', { token: await backend.workerToken(code) })
}

test('an empty form says what to fill in, in words a worker understands, and sends nothing', async () => {
  const code = newDevice('joinempty')
  const page = await openPage('pages/join/index')
  await tap(page, '#submit')
  expect(text(page, '#err-org_id')).toBe('请选择要加入的工会')
  expect(text(page, '#err-name')).toBe('请填写姓名')
  expect(text(page, '#err-gender')).toBe('请选择性别')
  expect(text(page, '#err-id_number')).toBe('请填写身份证号')
  expect(text(page, '#err-worker_type')).toBe('请选择职工类型')
  expect(shim.state.requests.some((r) => r.method === 'POST' && r.url.includes('/membership/applications'))).toBe(false)
  expect(await applications(code)).toEqual([])
  // the privacy notice in force is one tap away, from the backend
  await tap(page, '#privacy-link')
  expect(text(page, '#privacy-text')).toContain('身份证号和手机号加密保存')
})

test('sent back for more information, the worker corrects and resubmits; a lost answer files one application', async () => {
  const code = newDevice('joinfix')
  const union = await backend.staff('demo_union')
  const page = await openPage('pages/join/index')
  await fill(page, union)
  shim.breakNetwork('/membership/applications', 1, 'drop') // filed, but the answer is lost
  await tap(page, '#submit')
  expect(text(page, '#application')).toContain('待审核')
  const [filed, ...others] = await applications(code)
  expect(others).toEqual([])

  await backend.ok('POST', `/staff/membership/applications/${filed.id}/transition`, {
    token: union.token,
    body: { action: 'request_info', note: '工作单位请写全称' },
  })
  const back = await openPage('pages/join/index')
  expect(text(back, '#application')).toContain('待补充材料')
  expect(text(back, '#status-note')).toBe('工会说明：工作单位请写全称')
  expect(text(back, '#join-form')).toContain('按工会的说明补充后重新提交')
  expect(back.instance.data.form.name).toBe('王建军')
  expect(text(back, '#chosen-org')).toBe(`已选择：${union.org.name}`)
  expect(text(back, '#submit')).toBe('重新提交')

  // the masked ID number and phone have to be typed again
  await tap(back, '#submit')
  expect(text(back, '#err-id_number')).toBe('请填写身份证号')
  await input(back, '#id_number', makeIdNumber({ born: '1990-05-01', sequence: 77, gender: 'male' }))
  await input(back, '#mobile', '13912345678')
  await input(back, '#employer', '临汾市某某建筑工程有限公司')
  await change(back, '#consent', true)
  await tap(back, '#submit')
  expect(text(back, '#application')).toContain('待审核')
  const [resubmitted, ...none] = await applications(code)
  expect(none).toEqual([])
  expect(resubmitted).toMatchObject({ id: filed.id, status: 'submitted', employer: '临汾市某某建筑工程有限公司' })
  expect(back.querySelector('#join-form')).toBeFalsy()

  // withdrawn, the worker may apply afresh
  await tap(back, '#withdraw')
  expect(shim.state.modals.map((m) => m.title)).toContain('撤回申请')
  expect(text(back, '#application')).toContain('已撤回')
  expect((await applications(code))[0].status).toBe('withdrawn')
  expect(back.querySelector('#join-form')).toBeTruthy()
  expect(back.querySelector('#withdraw')).toBeFalsy()
})

test('the member card shows the member\'s own name and a QR code staff can verify, renewed before it expires', async () => {
  const code = newDevice('card')
  await backend.makeMember(code, { name: '赵春燕', gender: 'female' })
  const union = await backend.staff('demo_union')
  const lead = config.qrRenewLeadSeconds
  const page = await (async () => {
    // renew 0.2 s after drawing instead of 30 s before the 5 minutes are up
    config.qrRenewLeadSeconds = 300 - 0.2
    try {
      return await openPage('pages/card/index')
    } finally {
      config.qrRenewLeadSeconds = lead
    }
  })()
  try {
    expect(text(page, '#card-name')).toBe('赵春燕')
    const first = decodeCanvas(shim.state.canvases['#card-qr'])
    const verified = await backend.ok('POST', '/staff/cards/verify', { token: union.token, body: { payload: first } })
    expect(verified.member.card_no).toBe(text(page, '#card-no'))
    expect(text(page, '#card')).toContain('5 分钟内有效，到期自动更新')

    const cardCalls = () => shim.state.requests.filter((r) => r.url.endsWith('/me/card')).length
    await waitFor(() => cardCalls() >= 2, 'the card to be renewed')
    await waitFor(() => !page.instance._inflight, 'the renewed code to be drawn')
    const renewed = decodeCanvas(shim.state.canvases['#card-qr'])
    const again = await backend.ok('POST', '/staff/cards/verify', { token: union.token, body: { payload: renewed } })
    expect(again.valid).toBe(true)
  } finally {
    page.instance.onUnload()
  }
})
