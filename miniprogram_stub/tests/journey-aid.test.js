/**
 * 困难帮扶：证明材料照片、提交（答复丢了也只有一件），详情页的办理经过，办结后评价一次（会员评议）；
 * 批准前在详情页撤回。
 */
const { shim, newDevice, openPage, input, change, tap, text, photosInAlbum } = require('./harness')
const backend = require('./backend')

async function fill(page) {
  await change(page, '#category', 0) // 生活困难
  await input(page, '#household_size', '4')
  await input(page, '#monthly_income', '1800')
  await input(page, '#situation', '爱人下岗，孩子上学，家中老人卧病在床。')
  await input(page, '#amount_requested', '3000')
}

async function staffStep(id, body) {
  const union = await backend.staff('demo_union')
  return backend.ok('POST', `/staff/aid-requests/${id}/transition`, { token: union.token, body })
}

test('a member asks for help with evidence photos, follows the case, and rates it once after closing', async () => {
  const code = newDevice('aidrate')
  const { token } = await backend.makeMember(code)
  const page = await openPage('pages/aid/index')
  await tap(page, '#submit')
  expect(text(page, '#err-category')).toBe('请选择帮扶类别')
  expect(text(page, '#err-situation')).toBe('请填写家庭困难情况')

  await fill(page)
  photosInAlbum(2)
  await tap(page, '#add-photo')
  expect(text(page, '#photos')).toContain('已上传')
  shim.breakNetwork('/aid-requests', 1, 'drop')
  await tap(page, '#submit')
  expect(text(page, '#result')).toContain('待受理')
  const mine = await backend.ok('GET', '/aid-requests/mine', { token })
  expect(mine).toHaveLength(1)
  const id = mine[0].id

  await staffStep(id, { action: 'accept' })
  await staffStep(id, { action: 'verify', note: '已入户走访' })
  await staffStep(id, { action: 'approve', amount: '2000' })
  await staffStep(id, { action: 'disburse' })
  await staffStep(id, { action: 'close' })

  const list = await openPage('pages/requests/index') // where the closing notice leads
  expect(text(list, `#aid-${id}`)).toContain('去评价')
  await tap(list, `#open-aid-${id}`)
  expect(shim.state.navigations).toContain(`/pages/aid/detail?id=${id}`)

  const detail = await openPage('pages/aid/detail', { id: String(id) })
  expect(text(detail, '#request')).toContain('批准金额：2000.00 元')
  expect(text(detail, '#attachments')).toContain('证明材料（2）')
  expect(text(detail, '#timeline')).toContain('已入户走访')
  await tap(detail, '#submit-rating')
  expect(text(detail, '#err-score')).toBe('请选择评分（点星星）')
  await tap(detail, '#star-4')
  await input(detail, '#comment', '走访及时，很感谢')
  await tap(detail, '#submit-rating')
  expect(text(detail, '#rating')).toContain('4 分：走访及时，很感谢')
  expect(detail.querySelector('#rate')).toBeFalsy() // only once
  const rated = await backend.ok('GET', `/aid-requests/${id}`, { token })
  expect(rated).toMatchObject({ rating: 4, rating_comment: '走访及时，很感谢', can_rate: false })
})

test('before approval the member withdraws the request from its detail page', async () => {
  const code = newDevice('aidwd')
  const { token } = await backend.makeMember(code)
  const page = await openPage('pages/aid/index')
  await fill(page)
  await tap(page, '#submit')
  await tap(page, '#result-detail')
  const id = page.instance.data.result.id
  const detail = await openPage('pages/aid/detail', { id: String(id) })
  await tap(detail, '#withdraw')
  expect(text(detail, '#request-status')).toBe('已撤回')
  expect(detail.querySelector('#withdraw')).toBeFalsy()
  expect((await backend.ok('GET', `/aid-requests/${id}`, { token })).status).toBe('withdrawn')
})
