/**
 * 360×640 截图：把各个旅程的关键页面渲染成 HTML，再用无头 Chromium 截图（npm run screens）。
 * 输出在 SCREENS_DIR（默认系统临时目录下的 zg-screens）；SCREEN_WIDTH / SCREEN_HEIGHT 换屏幕尺寸
 * （如 320×568、414×736）。不是测试，截图给人看。
 */
const fs = require('fs')
const os = require('os')
const path = require('path')
const { execFileSync } = require('child_process')
const { shim, newDevice, openPage, input, change, tap, photosInAlbum } = require('../harness')
const backend = require('../backend')
const { writeHtml } = require('./render')

const OUT = process.env.SCREENS_DIR || path.join(os.tmpdir(), 'zg-screens')
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium'
const WIDTH = Number(process.env.SCREEN_WIDTH || 360)
const HEIGHT = Number(process.env.SCREEN_HEIGHT || 640)
const shots = []

async function shoot(name, pagePath, page) {
  fs.mkdirSync(OUT, { recursive: true })
  const html = writeHtml(page, pagePath, path.join(OUT, `${name}.html`), { width: WIDTH, canvases: shim.state.canvases })
  const png = path.join(OUT, `${name}.png`)
  execFileSync(CHROMIUM, [
    '--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars',
    `--window-size=${WIDTH},${HEIGHT}`, `--screenshot=${png}`, `file://${html}`,
  ], { stdio: 'ignore' })
  shots.push(png)
}

const iso = (minutes) => new Date(Date.now() + minutes * 60 * 1000).toISOString()

test('render the journeys at 360×640', async () => {
  const union = await backend.staff('demo_union')
  const county = await backend.staff('demo_county')

  // 首页、我的
  const code = newDevice('shots')
  const { token } = await backend.makeMember(code, { name: '张建国' })
  await shoot('01-home', 'pages/index/index', await openPage('pages/index/index'))
  await shoot('02-me', 'pages/me/index', await openPage('pages/me/index'))
  await shoot('03-card', 'pages/card/index', await openPage('pages/card/index'))

  // 欠薪：空表提交的提示；提交后回执在最上面；详情
  const wage = await openPage('pages/wages/index')
  await tap(wage, '#submit')
  await shoot('04-wage-empty', 'pages/wages/index', wage)
  await change(wage, '#region', wage.instance.data.regions.findIndex((r) => r.id === county.org.id))
  await input(wage, '#employer', '临汾市某某建筑劳务公司')
  await input(wage, '#project', '尧都区滨河小区三期')
  await input(wage, '#amount_owed', '48000')
  await change(wage, '#owed_since', '2026-05-01')
  await input(wage, '#contact_phone', '13912340000')
  await tap(wage, '#add-crew')
  await input(wage, '#crew-name-0', '李大壮')
  photosInAlbum(2)
  shim.breakNetwork('/uploads', 4)
  await tap(wage, '#add-photo')
  await shoot('05-wage-photos', 'pages/wages/index', wage) // a failed photo with 重试
  await tap(wage, '#retry-photo-0')
  await tap(wage, '#submit')
  await shoot('06-wage-receipt', 'pages/wages/index', wage)
  const claim = wage.instance.data.receipt
  await backend.ok('POST', `/staff/wage-claims/${claim.id}/transition`, { token: county.token, body: { action: 'accept', note: '已联系项目负责人' } })
  await shoot('07-wage-detail', 'pages/wages/detail', await openPage('pages/wages/detail', { id: String(claim.id) }))

  // 入会：退回补充材料
  const joiner = newDevice('shotsjoin')
  const jt = await backend.workerToken(joiner)
  const app = await backend.ok('POST', '/membership/applications', { token: jt, body: backend.application(union.org.id) })
  await backend.ok('POST', `/staff/membership/applications/${app.id}/transition`, { token: union.token, body: { action: 'request_info', note: '工作单位请写全称' } })
  await shoot('08-join-needs-info', 'pages/join/index', await openPage('pages/join/index'))

  // 帮扶：办结后评价
  shim.reset(code)
  const aid = await backend.ok('POST', '/aid-requests', {
    token,
    body: { category: 'living_hardship', household_size: 3, monthly_income: '1500', situation: '家中老人常年卧病', amount_requested: '2000' },
  })
  for (const body of [{ action: 'accept' }, { action: 'verify', note: '已入户走访' }, { action: 'approve', amount: '1500' }, { action: 'disburse' }, { action: 'close' }]) {
    await backend.ok('POST', `/staff/aid-requests/${aid.id}/transition`, { token: union.token, body })
  }
  const aidPage = await openPage('pages/aid/detail', { id: String(aid.id) })
  await tap(aidPage, '#star-4')
  await shoot('09-aid-rate', 'pages/aid/detail', aidPage)

  // 联谊：入场码
  const event = await backend.ok('POST', '/staff/events', {
    token: union.token,
    body: { title: '职工之家周末茶话会', description: '单身职工交友', place: '职工之家二楼', starts_at: iso(60), ends_at: iso(120), signup_opens_at: iso(-60), signup_closes_at: iso(30), capacity: 10 },
  })
  await backend.ok('POST', `/staff/events/${event.id}/transition`, { token: union.token, body: { action: 'publish' } })
  await backend.ok('POST', `/events/${event.id}/signups`, { token, body: { single_declared: true, declaration_version: '2026-01' } })
  const events = await openPage('pages/events/mine')
  await tap(events, `#ticket-${event.id}`)
  await shoot('10-event-ticket', 'pages/events/mine', events)
  events.instance.onUnload()

  // 竞赛：答题
  const quiz = await backend.ok('POST', '/staff/competitions', {
    token: union.token,
    body: { title: '2026安康杯安全知识竞赛', kind: 'quiz', entry_mode: 'individual', time_limit_minutes: 10, signup_deadline: iso(60 * 24) },
  })
  await backend.ok('PUT', `/staff/competitions/${quiz.id}/questions`, {
    token: union.token,
    body: { questions: [{ kind: 'single', stem: '发生火灾时应拨打的电话是？', options: ['110', '119', '120'], answer: ['B'] }, { kind: 'multiple', stem: '进入施工现场必须佩戴的有？', options: ['安全帽', '耳机', '反光背心'], answer: ['A', 'C'] }] },
  })
  await backend.ok('POST', `/staff/competitions/${quiz.id}/transition`, { token: union.token, body: { action: 'open' } })
  const quizPage = await openPage('pages/competitions/quiz', { id: String(quiz.id) })
  await tap(quizPage, '#start')
  await tap(quizPage, `#q-${quizPage.instance.data.questions[0].id}-B`)
  await shoot('11-quiz', 'pages/competitions/quiz', quizPage)
  quizPage.instance.onUnload()

  // 公告
  await backend.ok('POST', '/staff/announcements', { token: union.token, body: { title: '本月会员活动安排', body: '本周六上午在职工之家举行义诊活动，欢迎会员参加。' } })
  await shoot('12-announcements', 'pages/announcements/index', await openPage('pages/announcements/index'))

  console.log(shots.join('\n'))
}, 120000)
