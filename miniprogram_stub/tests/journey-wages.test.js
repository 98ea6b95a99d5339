/**
 * 欠薪求助（代工友一起反映）：工友姓名电话、照片（进度、失败重试；答复丢了自动重传），回执在最上面，
 * 详情页看受理工会、工友、照片和办理经过。空着提交得到“请填写…”。
 */
const { shim, newDevice, openPage, input, change, tap, text, photosInAlbum, settle } = require('./harness')
const backend = require('./backend')

test('a worker reports for a crew with photos on a flaky network and follows the claim on its detail page', async () => {
  const code = newDevice('crew')
  const county = await backend.staff('demo_county')
  const page = await openPage('pages/wages/index')

  await tap(page, '#submit') // nothing filled in yet
  expect(text(page, '#err-org_id')).toBe('请选择欠薪发生的县区')
  expect(text(page, '#err-employer')).toBe('请填写欠薪单位')
  expect(text(page, '#err-owed_since')).toBe('请选择从哪天开始拖欠')

  await change(page, '#region', page.instance.data.regions.findIndex((r) => r.id === county.org.id))
  await input(page, '#employer', '临汾市某某建筑劳务公司')
  await input(page, '#project', '尧都区滨河小区三期')
  await input(page, '#amount_owed', '48000')
  await change(page, '#owed_since', '2026-05-01')
  await input(page, '#contact_phone', '13912340000')
  await tap(page, '#add-crew')
  await tap(page, '#add-crew')
  expect(page.instance.data.form.workers_owed).toBe('3') // the crew plus the reporter
  await input(page, '#crew-name-0', '李大壮')
  await input(page, '#crew-phone-0', '13700000001')
  await input(page, '#crew-name-1', '王小二')

  // photo 1 never gets through (every try fails) until the worker taps 重试; photo 2's answer is
  // lost once after the server stored it, and the automatic retry brings it home
  photosInAlbum(2)
  shim.breakNetwork('/uploads', 4)
  shim.breakNetwork('/uploads', 1, 'drop')
  await tap(page, '#add-photo')
  const statuses = () => page.instance.data.photos.map((p) => p.status)
  expect(statuses().sort()).toEqual(['done', 'failed'])
  expect(text(page, '#photos')).toContain('上传失败')
  await tap(page, '#submit') // not with a photo missing
  expect(shim.state.toasts).toContain('有照片没有传上去，请点“重试”或删掉它')
  const failed = page.instance.data.photos.findIndex((p) => p.status === 'failed')
  await tap(page, `#retry-photo-${failed}`)
  expect(statuses()).toEqual(['done', 'done'])
  expect(page.instance.data.photos.every((p) => p.progress === 100)).toBe(true)

  shim.breakNetwork('/wage-claims', 1, 'drop') // the claim is filed but its answer is lost
  await tap(page, '#submit')
  expect(text(page, '#receipt')).toContain('已收到您的求助')
  // the receipt is the first thing on the screen, and the page scrolls to it
  expect(page.querySelector('.card').dom).toBe(page.querySelector('#receipt').dom)
  expect(shim.state.scrolledTo).toBe('#receipt')

  const token = await backend.workerToken(code)
  const claims = await backend.ok('GET', '/wage-claims/mine', { token })
  expect(claims).toHaveLength(1)
  const claim = claims[0]
  expect(claim.workers_owed).toBe(3)
  expect(claim.crew.map((c) => c.name)).toEqual(['李大壮', '王小二'])
  expect(claim.crew[0].phone).not.toBe('13700000001') // masked

  await backend.ok('POST', `/staff/wage-claims/${claim.id}/transition`, {
    token: county.token,
    body: { action: 'accept', note: '已联系项目负责人' },
  })
  await tap(page, '#receipt-detail')
  expect(shim.state.navigations).toContain(`/pages/wages/detail?id=${claim.id}`)
  const detail = await openPage('pages/wages/detail', { id: String(claim.id) })
  expect(text(detail, '#claim-status')).toBe('已受理')
  expect(text(detail, '#crew')).toContain('李大壮')
  expect(text(detail, '#crew')).toContain('王小二')
  expect(text(detail, '#attachments')).toContain('照片和材料（2）')
  expect(text(detail, '#timeline')).toContain('已联系项目负责人')
  expect(detail.instance.data.claim.timeline.length).toBeGreaterThanOrEqual(2)
})

test('my requests pages the claims: the next page at the bottom, the newest on pull to refresh', async () => {
  const code = newDevice('pages')
  const token = await backend.workerToken(code)
  const county = await backend.staff('demo_county')
  const file = (employer) =>
    backend.ok('POST', '/wage-claims', {
      token,
      body: { org_id: county.org.id, employer, project: '某工地', amount_owed: '1200', owed_since: '2026-06-01', contact_phone: '13600003333' },
    })
  const older = await file('甲劳务公司')
  const newer = await file('乙劳务公司')
  const config = require('../config')
  const size = config.pageSize
  config.pageSize = 1
  try {
    const page = await openPage('pages/requests/index')
    expect(page.instance.data.wages.map((c) => c.id)).toEqual([newer.id])
    expect(text(page, '#wages')).toContain('上拉加载更多')
    page.instance.onReachBottom()
    await settle(page)
    expect(page.instance.data.wages.map((c) => c.id)).toEqual([newer.id, older.id])
    expect(text(page, '#wages')).not.toContain('上拉加载更多')
    const newest = await file('丙劳务公司')
    page.instance.onPullDownRefresh()
    await settle(page)
    expect(page.instance.data.wages.map((c) => c.id)).toEqual([newest.id])
  } finally {
    config.pageSize = size
  }
})
