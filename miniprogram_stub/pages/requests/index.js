/**
 * 我的求助：帮扶申请和欠薪求助及其办理状态，手机上待发送的欠薪求助；帮扶申请在批准前可撤回。
 */
const api = require('../../utils/api')
const outbox = require('../../utils/outbox')
const { action } = require('../../utils/page')

const DAY = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/

function when(iso) {
  const m = DAY.exec(iso || '')
  return m ? `${m[1]} ${m[2]}` : iso
}

Component({
  data: { aid: [], wages: [], pending: [], isMember: false, busy: false },

  methods: {
    onLoad: action(async function onLoad() {
      await this.refresh()
    }),

    async refresh() {
      const summary = await api.me()
      const [wages, aid] = await Promise.all([
        api.get('/wage-claims/mine'),
        summary.is_member ? api.list('/aid-requests/mine').then((r) => r.items) : Promise.resolve([]),
      ])
      this.setData({
        isMember: summary.is_member,
        wages: wages.map((c) => ({ ...c, when: when(c.submitted_at) })),
        aid: aid.map((r) => ({ ...r, when: when(r.submitted_at) })),
        pending: outbox.pending().map((e) => ({ key: e.key, employer: e.body.employer, amount: e.body.amount_owed })),
      })
    },

    onRetry: action(async function onRetry() {
      await outbox.flush()
      await this.refresh()
    }),

    onWithdraw: action(async function onWithdraw(event) {
      const id = Number(event.currentTarget.dataset.id)
      const confirmed = await new Promise((resolve) =>
        wx.showModal({ title: '撤回申请', content: '确定撤回这份帮扶申请吗？', success: (res) => resolve(res.confirm) })
      )
      if (!confirmed) return
      await api.post(`/aid-requests/${id}/withdraw`)
      wx.showToast({ title: '已撤回', icon: 'success' })
      await this.refresh()
    }),
  },
})
