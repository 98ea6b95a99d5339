/**
 * 工会公告：本工会和上级工会的公告，点开看全文；列表分页（触底加载更多、下拉刷新）。
 * 消息里的每个页面链接都指向小程序里真有的页面。
 */
const fs = require('fs')
const path = require('path')
const { newDevice, openPage, tap, text, settle } = require('./harness')
const backend = require('./backend')
const config = require('../config')

async function publish(staffName, title, body) {
  const staff = await backend.staff(staffName)
  return backend.ok('POST', '/staff/announcements', { token: staff.token, body: { title, body } })
}

test('a member reads the notices of their union and the unions above it, page by page', async () => {
  const code = newDevice('notice')
  await backend.makeMember(code)
  const city = await publish('demo_city', '全市职工劳动竞赛启动', '市总工会决定在全市开展职工劳动和技能竞赛，各基层工会积极组织职工报名参加。')
  const own = await publish('demo_union', '本月会员活动安排', '本周六上午在职工之家举行义诊活动，欢迎会员参加。')

  const size = config.pageSize
  config.pageSize = 1
  try {
    const page = await openPage('pages/announcements/index')
    expect(page.instance.data.announcements).toHaveLength(1)
    expect(text(page, '#more')).toBe('上拉加载更多')
    expect(text(page, `#a-${own.id}`)).toContain('本月会员活动安排') // newest first
    while (page.instance.data.announcementsMore) {
      page.instance.onReachBottom()
      await settle(page)
    }
    expect(text(page, `#a-${city.id}`)).toContain('全市职工劳动竞赛启动')
    expect(page.querySelector('#more')).toBeFalsy()
    await tap(page, `#a-${city.id}`)
    expect(text(page, `#a-body-${city.id}`)).toContain('各基层工会积极组织职工报名参加')

    const latest = await publish('demo_union', '工会公告：春节慰问', '春节前走访慰问困难职工。')
    page.instance.onPullDownRefresh()
    await settle(page)
    expect(page.instance.data.announcements.map((a) => a.id)).toEqual([latest.id])
  } finally {
    config.pageSize = size
  }
})

test('every page a notification links to exists in the mini-program', () => {
  const root = path.resolve(__dirname, '..')
  const pages = JSON.parse(fs.readFileSync(path.join(root, 'app.json'), 'utf8')).pages
  const dir = path.resolve(root, '..', 'config', 'notifications')
  const linked = new Set()
  fs.readdirSync(dir).forEach((file) => {
    for (const m of fs.readFileSync(path.join(dir, file), 'utf8').matchAll(/^\s*page:\s*(\S+)/gm)) linked.add(m[1])
  })
  expect(linked.size).toBeGreaterThan(5)
  linked.forEach((page) => {
    expect(pages).toContain(page)
    expect(fs.existsSync(path.join(root, `${page}.wxml`))).toBe(true)
  })
})
