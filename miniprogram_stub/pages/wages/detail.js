/**
 * 一件欠薪求助的详情：状态、受理工会、工友、照片和办理经过（时间线）。
 */
const api = require('../../utils/api')
const { action } = require('../../utils/page')
const { when } = require('../../utils/format')

Component({
  data: { claim: null, busy: false },

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
      const claim = await api.get(`/wage-claims/${this._id}`)
      this.setData({
        claim: {
          ...claim,
          when: when(claim.submitted_at),
          timeline: claim.timeline.map((e) => ({ ...e, when: when(e.at) })),
        },
      })
    },
  },
})
