/**
 * 一件帮扶申请的详情：状态、金额、证明材料、办理经过；批准前可撤回，办结后可评价一次（会员评议）。
 */
const api = require('../../utils/api')
const form = require('../../utils/form')
const { action } = require('../../utils/page')
const { when } = require('../../utils/format')

const SCORES = [1, 2, 3, 4, 5]
const SCORE_WORDS = { 1: '很不满意', 2: '不满意', 3: '一般', 4: '满意', 5: '很满意' }

Component({
  data: { request: null, scores: SCORES, score: 0, scoreWord: '', comment: '', errors: {}, busy: false },

  methods: {
    onLoad: action(async function onLoad(query) {
      this._id = Number(query.id)
      await this.refresh()
    }),

    onPullDownRefresh: action(async function onPullDownRefresh() {
      await this.refresh()
      wx.stopPullDownRefresh()
    }),

    async refresh() {
      this.present(await api.get(`/aid-requests/${this._id}`))
    },

    present(request) {
      this.setData({
        request: {
          ...request,
          when: when(request.submitted_at),
          timeline: request.timeline.map((e) => ({ ...e, when: when(e.at) })),
        },
      })
    },

    onWithdraw: action(async function onWithdraw() {
      const confirmed = await new Promise((resolve) =>
        wx.showModal({
          title: '撤回申请',
          content: '撤回后工会不再办理这份申请。确定撤回吗？',
          success: (res) => resolve(res.confirm),
        })
      )
      if (!confirmed) return
      this.present(await api.post(`/aid-requests/${this._id}/withdraw`))
      wx.showToast({ title: '已撤回', icon: 'success' })
    }),

    onScore(event) {
      const score = Number(event.currentTarget.dataset.score)
      this.setData({ score, scoreWord: SCORE_WORDS[score], 'errors.score': '' })
    },

    onComment(event) {
      this.setData({ comment: event.detail.value })
    },

    onRate: action(
      async function onRate() {
        if (!form.requireFields(this, [{ name: 'score', label: '评分（点星星）', value: this.data.score || '', choose: true }])) return
        this.setData({ errors: {} })
        const body = { score: this.data.score }
        if (this.data.comment.trim()) body.comment = this.data.comment.trim()
        this.present(await api.post(`/aid-requests/${this._id}/rating`, body))
        wx.showToast({ title: '感谢您的评价', icon: 'success' })
      },
      { exclusive: true }
    ),
  },
})
