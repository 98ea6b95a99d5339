/**
 * 劳动和技能竞赛：我能报名的竞赛、报名（限定工种的选工种；团体赛填队名建队并得到邀请码，或凭队长给的
 * 邀请码加入队伍；“五小”竞赛填作品并附照片或 PDF；安康杯知识竞赛直接进入限时答题），我参加的竞赛。
 */
const api = require('../../utils/api')
const form = require('../../utils/form')
const meta = require('../../utils/meta')
const pager = require('../../utils/pager')
const photos = require('../../utils/photos')
const { action } = require('../../utils/page')
const { when } = require('../../utils/format')

function emptyForm() {
  return { team_name: '', title: '', description: '', code: '' }
}

// 页面定义：index（列表与报名）和 mine（我的）两个页面共用同一份逻辑。
module.exports = {
  data: {
    competitions: [],
    competitionsMore: false,
    mine: [],
    mineMore: false,
    chosen: null,
    teamMode: 'create',
    tradeIndex: -1,
    ...photos.pageData(),
    categories: [],
    categoryIndex: -1,
    form: emptyForm(),
    errors: {},
    busy: false,
  },

  methods: {
    ...photos.pageMethods,

    onLoad: action(async function onLoad() {
      this.competitionsPager = pager.create(this, 'competitions', '/competitions', {
        map: (c) => ({ ...c, deadline: when(c.signup_deadline) }),
      })
      this.minePager = pager.create(this, 'mine', '/competitions/mine', {
        map: (p) => ({ ...p, isQuiz: p.competition.kind === 'quiz', quizDone: Boolean(p.quiz && p.quiz.submitted_at) }),
      })
      await meta.load()
      this.setData({ categories: meta.options('innovation_categories') })
      await this.refresh()
    }),

    onShow: action(async function onShow() {
      // 从答题页回来时成绩已变
      if (this._shown) await this.refresh()
      this._shown = true
    }),

    onPullDownRefresh: action(async function onPullDownRefresh() {
      await this.refresh()
      wx.stopPullDownRefresh()
    }),

    onReachBottom: action(async function onReachBottom() {
      // 页面最下面是“我参加的竞赛”
      await this.minePager.more()
      this.markEntered()
    }),

    onMoreCompetitions: action(async function onMoreCompetitions() {
      await this.competitionsPager.more()
      this.markEntered()
    }),

    async refresh() {
      await Promise.all([this.competitionsPager.reload(), this.minePager.reload()])
      this.markEntered()
    },

    markEntered() {
      const entered = new Set(this.data.mine.map((p) => p.competition.id))
      this.setData({ competitions: this.data.competitions.map((c) => ({ ...c, entered: entered.has(c.id) })) })
    },

    onChoose(event) {
      const chosen = this.data.competitions.find((c) => c.id === Number(event.currentTarget.dataset.id))
      if (chosen.kind === 'quiz') {
        wx.navigateTo({ url: `/pages/competitions/quiz?id=${chosen.id}` })
        return
      }
      this.setData({ chosen, teamMode: 'create', tradeIndex: -1, categoryIndex: -1, form: emptyForm(), photos: [], errors: {} })
    },

    onQuiz(event) {
      wx.navigateTo({ url: `/pages/competitions/quiz?id=${event.currentTarget.dataset.id}` })
    },

    onTeamMode(event) {
      this.setData({ teamMode: event.currentTarget.dataset.mode, errors: {} })
    },

    onInput(event) {
      form.onInput(this, event)
    },

    onTrade(event) {
      this.setData({ tradeIndex: Number(event.detail.value), 'errors.trade': '' })
    },

    onCategory(event) {
      this.setData({ categoryIndex: Number(event.detail.value), 'errors.category': '' })
    },

    /** 只带填了的项：没填的由后端按竞赛要求提示（如“团体赛请填写队名”）。 */
    body() {
      const d = this.data
      const c = d.chosen
      const body = {}
      if (c.trades.length && d.tradeIndex >= 0) body.trade = c.trades[d.tradeIndex]
      if (c.entry_mode === 'team' && d.form.team_name) body.team_name = d.form.team_name
      if (c.kind === 'innovation') {
        if (d.form.title) body.title = d.form.title
        if (d.form.description) body.description = d.form.description
        if (d.categoryIndex >= 0) body.category = d.categories[d.categoryIndex].value
      }
      return body
    },

    onEnter: action(
      async function onEnter() {
        const c = this.data.chosen
        const subscribed = api.subscribe(meta.templates('competition'))
        const body = this.body()
        if (c.kind === 'innovation') {
          const evidenceIds = photos.ids(this)
          if (!evidenceIds) return
          body.evidence_ids = evidenceIds
          const ok = form.requireFields(this, [
            { name: 'title', label: '作品名称', value: body.title },
            { name: 'category', label: '作品类别', value: body.category, choose: true },
            { name: 'description', label: '作品简介', value: body.description },
          ])
          if (!ok) return
        }
        await subscribed
        this.setData({ errors: {} })
        const entry = await api.submit(this, `/competitions/${c.id}/entries`, body)
        const code = entry.entry.join_code
        wx.showToast({ title: code ? `报名成功，邀请码 ${code}` : '报名成功', icon: 'success' })
        this.setData({ chosen: null, photos: [] })
        await this.refresh()
      },
      { exclusive: true }
    ),

    onJoinTeam: action(
      async function onJoinTeam() {
        const d = this.data
        const c = d.chosen
        const subscribed = api.subscribe(meta.templates('competition'))
        const body = { code: d.form.code.trim().toUpperCase() }
        if (c.trades.length && d.tradeIndex >= 0) body.trade = c.trades[d.tradeIndex]
        if (!form.requireFields(this, [{ name: 'code', label: '邀请码', value: body.code }])) return
        await subscribed
        this.setData({ errors: {} })
        const joined = await api.submit(this, `/competitions/${c.id}/teams/join`, body)
        wx.showToast({ title: `已加入队伍“${joined.entry.team_name}”`, icon: 'success' })
        this.setData({ chosen: null })
        await this.refresh()
      },
      { exclusive: true }
    ),
  },
}
