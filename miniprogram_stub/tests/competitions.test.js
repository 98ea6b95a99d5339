/**
 * 劳动和技能竞赛：列表 → 报名（限定工种、团体赛建队得邀请码）→ 我参加的竞赛；缺项在字段旁提示。
 */
const { shim, newDevice, openPage, input, change, tap, text } = require('./harness')
const backend = require('./backend')

const iso = (hours) => new Date(Date.now() + hours * 3600 * 1000).toISOString()

async function openCompetition(body) {
  const union = await backend.staff('demo_union')
  const competition = await backend.ok('POST', '/staff/competitions', {
    token: union.token,
    body: { signup_deadline: iso(24 * 5), ...body },
  })
  await backend.ok('POST', `/staff/competitions/${competition.id}/transition`, {
    token: union.token,
    body: { action: 'open' },
  })
  return competition
}

async function mine(code) {
  return backend.ok('GET', '/competitions/mine', { token: await backend.workerToken(code) })
}

test('a member enters a skills contest for their trade and sees it under my competitions', async () => {
  const contest = await openCompetition({
    title: '2026年全市焊工技能大赛',
    kind: 'skill',
    entry_mode: 'individual',
    trades: ['焊工', '电工'],
  })
  const code = newDevice('comp')
  await backend.makeMember(code)
  const page = await openPage('pages/competitions/index')
  expect(text(page, `#competition-${contest.id}`)).toContain('2026年全市焊工技能大赛')

  await tap(page, `#choose-${contest.id}`)
  await tap(page, '#enter') // no trade chosen yet
  expect(text(page, '#err-trade')).toBeTruthy()
  expect(await mine(code)).toEqual([])

  await change(page, '#trade', 0)
  expect(text(page, '#err-trade')).toBeNull()
  await tap(page, '#enter')
  expect(shim.state.toasts).toContain('报名成功')
  expect(text(page, `#mine-${contest.id}`)).toContain('个人，焊工')
  expect(text(page, `#competition-${contest.id}`)).toContain('已报名')
  const minePage = await openPage('pages/competitions/mine') // where the sign-up notification leads
  expect(text(minePage, `#mine-${contest.id}`)).toContain('个人，焊工')
  const [entry] = await mine(code)
  expect(entry).toMatchObject({ role: 'individual', trade: '焊工', competition: { id: contest.id } })
  // each tap on 报名 asks WeChat once (a refused first try included)
  expect(shim.state.subscribeRequests).toEqual([
    ['TPL_COMPETITION_SIGNUP', 'TPL_COMPETITION_RESULT'],
    ['TPL_COMPETITION_SIGNUP', 'TPL_COMPETITION_RESULT'],
  ])
})

test('a team contest needs a team name; the captain gets the join code to share', async () => {
  const contest = await openCompetition({
    title: '安全生产应急救援团体赛',
    kind: 'skill',
    entry_mode: 'team',
    team_min: 2,
    team_max: 4,
  })
  const code = newDevice('team')
  await backend.makeMember(code)
  const page = await openPage('pages/competitions/index')
  await tap(page, `#choose-${contest.id}`)
  await tap(page, '#enter')
  expect(text(page, '#err-team_name')).toBe('团体赛请填写队名（队员凭邀请码加入）')
  expect(await mine(code)).toEqual([])

  await input(page, '#team_name', '钢铁侠突击队')
  await tap(page, '#enter')
  const [entry] = await mine(code)
  expect(entry.role).toBe('captain')
  expect(entry.entry.join_code).toBeTruthy()
  expect(text(page, `#mine-${contest.id}`)).toContain(`邀请码：${entry.entry.join_code}`)
  expect(shim.state.toasts).toContain(`报名成功，邀请码 ${entry.entry.join_code}`)
})
