/**
 * 会员关系转接（转会）：换了单位的会员选要转入的基层工会、写明原因，转入工会审核；进度在“我的”。
 */
const api = require('../../utils/api')
const form = require('../../utils/form')
const meta = require('../../utils/meta')
const { action } = require('../../utils/page')

Component({
  data: { summary: null, q: '', orgs: [], searched: false, org: null, form: { reason: '' }, errors: {}, done: null, busy: false },

  methods: {
    onLoad: action(async function onLoad() {
      const [summary] = await Promise.all([api.me(), meta.load()])
      this.setData({ summary })
    }),

    onQuery(event) {
      this.setData({ q: event.detail.value })
    },

    onSearch: action(async function onSearch() {
      const { items } = await api.list('/orgs', { q: this.data.q.trim(), accepting_members: true }, { auth: false })
      const current = this.data.summary && this.data.summary.member ? this.data.summary.member.org.id : null
      this.setData({ orgs: items.filter((o) => o.id !== current), searched: true })
    }),

    onPickOrg(event) {
      const org = this.data.orgs.find((o) => o.id === Number(event.currentTarget.dataset.id))
      this.setData({ org, orgs: [], 'errors.to_org_id': '' })
    },

    onInput(event) {
      form.onInput(this, event)
    },

    onSubmit: action(
      async function onSubmit() {
        const subscribed = api.subscribe(meta.templates('transfer'))
        const body = { to_org_id: this.data.org ? this.data.org.id : null, reason: this.data.form.reason }
        const ok = form.requireFields(this, [
          { name: 'to_org_id', label: '要转入的工会', value: body.to_org_id, choose: true },
          { name: 'reason', label: '转会原因', value: body.reason },
        ])
        if (!ok) return
        await subscribed
        this.setData({ errors: {} })
        const transfer = await api.submit(this, '/membership/transfers', body)
        this.setData({ done: transfer })
        wx.showToast({ title: '已提交，等待转入工会审核', icon: 'success' })
      },
      { exclusive: true }
    ),

    onBack() {
      wx.navigateBack()
    },
  },
})
