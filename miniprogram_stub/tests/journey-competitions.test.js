/**
 * 竞赛：凭队长给的邀请码加入队伍；安康杯知识竞赛限时答题（手机上拿不到答案，交卷的答复丢了重发也只算一次）；
 * “五小”作品带附件报名。
 */
const { shim, newDevice, openPage, input, change, tap, text, photosInAlbum } = require('./harness')
const backend = require('./backend')

const iso = (hours) => new Date(Date.now() + hours * 3600 * 1000).toISOString()

async function create(body, questions) {
  const union = await backend.staff('demo_union')
  const competition = await backend.ok('POST', '/staff/competitions', {
    token: union.token,
    body: { signup_deadline: iso(24 * 5), ...body },
  })
  if (questions) {
    await backend.ok('PUT', `/staff/competitions/${competition.id}/questions`, { token: union.token, body: { questions } })
  }
  await backend.ok('POST', `/staff/competitions/${competition.id}/transition`, { token: union.token, body: { action: 'open' } })
  return competition
}

test('a member joins a team with the code the captain shared', async () => {
  const contest = await create({ title: '桥梁焊接团体赛', kind: 'skill', entry_mode: 'team', team_min: 2, team_max: 3 })
  const captain = await backend.makeMember(newDevice('captain'))
  const team = await backend.ok('POST', `/competitions/${contest.id}/entries`, {
    token: captain.token,
    body: { team_name: '焊花飞扬队' },
  })
  const code = newDevice('teammate')
  await backend.makeMember(code)
  const page = await openPage('pages/competitions/index')
  await tap(page, `#choose-${contest.id}`)
  await tap(page, '#mode-join')
  expect(page.querySelector('#enter')).toBeFalsy()
  await tap(page, '#join-team')
  expect(text(page, '#err-code')).toBe('请填写邀请码')
  await input(page, '#code', 'ZZZZZZ')
  await tap(page, '#join-team')
  expect(shim.state.toasts[shim.state.toasts.length - 1]).not.toContain('已加入')
  await input(page, '#code', team.entry.join_code.toLowerCase()) // typed in lower case
  shim.breakNetwork('/teams/join', 1, 'drop')
  await tap(page, '#join-team')
  expect(shim.state.toasts).toContain('已加入队伍“焊花飞扬队”')
  expect(text(page, `#mine-${contest.id}`)).toContain('队员')
  expect(text(page, `#mine-${contest.id}`)).toContain('焊花飞扬队')
  const entries = await backend.ok('GET', '/competitions/mine', { token: captain.token })
  expect(entries[0].entry.member_count).toBe(2)
})

test('a member takes the timed 安康杯 quiz: questions without answers, one scored submission', async () => {
  const quiz = await create(
    { title: '2026安康杯安全知识竞赛', kind: 'quiz', entry_mode: 'individual', time_limit_minutes: 10 },
    [
      { kind: 'single', stem: '发生火灾时应拨打的电话是？', options: ['110', '119', '120'], answer: ['B'], points: 10 },
      { kind: 'multiple', stem: '进入施工现场必须佩戴的有？', options: ['安全帽', '耳机', '反光背心'], answer: ['A', 'C'], points: 10 },
    ]
  )
  const code = newDevice('quiz')
  const { token } = await backend.makeMember(code)
  const list = await openPage('pages/competitions/index')
  expect(text(list, `#competition-${quiz.id}`)).toContain('限时 10 分钟')
  await tap(list, `#choose-${quiz.id}`)
  expect(shim.state.navigations).toContain(`/pages/competitions/quiz?id=${quiz.id}`)

  const page = await openPage('pages/competitions/quiz', { id: String(quiz.id) })
  await tap(page, '#start')
  expect(shim.state.modals.map((m) => m.content).join()).toContain('每人只有一次机会')
  expect(text(page, '#clock')).toMatch(/剩余时间 ?(9|10):\d\d/)
  const questions = page.instance.data.questions
  expect(questions).toHaveLength(2)
  questions.forEach((q) => expect(q).not.toHaveProperty('answer'))
  const [single, multiple] = questions
  await tap(page, `#q-${single.id}-A`)
  await tap(page, `#q-${single.id}-B`) // a single choice replaces the earlier one
  await tap(page, `#q-${multiple.id}-A`)
  await tap(page, `#q-${multiple.id}-C`)
  shim.breakNetwork('/quiz/submit', 1, 'drop')
  await tap(page, '#submit')
  expect(text(page, '#score')).toBe('20 / 20')
  const [entry] = await backend.ok('GET', '/competitions/mine', { token })
  expect(entry.quiz).toMatchObject({ score: 20, max_score: 20 })
  page.instance.onUnload()

  const again = await openPage('pages/competitions/quiz', { id: String(quiz.id) })
  expect(text(again, '#score')).toBe('20 / 20')
  expect(again.querySelector('#start')).toBeFalsy()
})

test('a member enters a 五小 proposal with attachments', async () => {
  const contest = await create({ title: '职工“五小”创新成果评选', kind: 'innovation', entry_mode: 'individual' })
  const code = newDevice('five')
  const { token } = await backend.makeMember(code)
  const page = await openPage('pages/competitions/index')
  await tap(page, `#choose-${contest.id}`)
  await tap(page, '#enter')
  expect(text(page, '#err-title')).toBe('请填写作品名称')
  expect(text(page, '#err-category')).toBe('请选择作品类别')
  await input(page, '#title', '钢筋弯曲机防夹手装置')
  await change(page, '#category', 2) // 小革新
  await input(page, '#description', '在弯曲机进料口加装光电感应，手靠近即停机。')
  photosInAlbum(2)
  await tap(page, '#add-photo')
  await tap(page, '#enter')
  const [entry] = await backend.ok('GET', '/competitions/mine', { token })
  expect(entry.entry).toMatchObject({ title: '钢筋弯曲机防夹手装置', category: 'renovation' })
  expect(entry.entry.attachments).toHaveLength(2)
  expect(text(page, `#mine-${contest.id}`)).toContain('附件 2 个')
})
