/**
 * 劳动和技能竞赛：我能报名的竞赛、报名（限定工种的选工种；团体赛填队名建队并得到邀请码；
 * “五小”竞赛填作品），我参加的竞赛。
 */
const api = require('../../utils/api')
const config = require('../../config')
const form = require('../../utils/form')
const labels = require('../../utils/labels')
const { action } = require('../../utils/page')

const DAY = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/

function when(iso) {
  const m = DAY.exec(iso || '')
  return m ? `${m[1]} ${m[2]}` : iso
}

function emptyForm() {
  return { team_name: '', title: '', description: '' }
}

// 页面定义：index（列表与报名）和 mine（我的）两个页面共用同一份逻辑。
module.exports = {
  data: {
    competitions: [],
    mine: [],
    chosen: null,
    tradeIndex: -1,
    categories: labels.innovationCategories,
    categoryIndex: -1,
    form: emptyForm(),
    errors: {},
    busy: false,
  },

  methods: {
    onLoad: action(async function onLoad() {
      await this.refresh()
    }),

    async refresh() {
      const [{ items }, mine] = await Promise.all([api.list('/competitions'), api.get('/competitions/mine')])
      const entered = new Set(mine.map((p) => p.competition.id))
      this.setData({
        competitions: items.map((c) => ({ ...c, deadline: when(c.signup_deadline), entered: entered.has(c.id) })),
        mine,
      })
    },

    onChoose(event) {
      const chosen = this.data.competitions.find((c) => c.id === Number(event.currentTarget.dataset.id))
      this.setData({ chosen, tradeIndex: -1, categoryIndex: -1, form: emptyForm(), errors: {} })
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
        const body = this.body()
        await api.subscribe(config.templates.competitions)
        this.setData({ errors: {} })
        const entry = await api.submit(this, `/competitions/${c.id}/entries`, body)
        const code = entry.entry.join_code
        wx.showToast({ title: code ? `报名成功，邀请码 ${code}` : '报名成功', icon: 'success' })
        this.setData({ chosen: null })
        await this.refresh()
      },
      { exclusive: true }
    ),
  },
}
