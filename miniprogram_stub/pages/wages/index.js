/**
 * 欠薪求助：一屏填完、一个大按钮提交。网络不好时表单连同 Idempotency-Key 暂存在手机上，
 * 联网后自动（或点“立即重试”）用同一个键重发，绝不会重复提交。
 */
const api = require('../../utils/api')
const outbox = require('../../utils/outbox')
const config = require('../../config')
const form = require('../../utils/form')
const { action } = require('../../utils/page')

function emptyForm() {
  return {
    employer: '',
    project: '',
    amount_owed: '',
    workers_owed: '1',
    owed_since: '',
    contact_phone: '',
    contact_name: '',
    description: '',
  }
}

/** 表单 → 请求体：只带填了的可选项，金额保持字符串（精确到分，不经浮点）。 */
function claimBody(data) {
  const f = data.form
  const region = data.regions[data.regionIndex]
  const body = {
    org_id: region ? region.id : null,
    employer: f.employer,
    project: f.project,
    amount_owed: f.amount_owed,
    owed_since: f.owed_since,
    contact_phone: f.contact_phone,
  }
  if (f.workers_owed !== '') body.workers_owed = /^\d+$/.test(f.workers_owed) ? Number(f.workers_owed) : f.workers_owed
  if (f.contact_name) body.contact_name = f.contact_name
  if (f.description) body.description = f.description
  return body
}

Component({
  data: {
    regions: [],
    regionIndex: -1,
    form: emptyForm(),
    errors: {},
    receipt: null,
    pending: [],
    notice: '',
    busy: false,
  },

  methods: {
    onLoad: action(async function onLoad() {
      this.refreshPending()
      const { items } = await api.list('/orgs', { level: 'county' }, { auth: false })
      this.setData({ regions: items })
      await this.retryPending()
    }),

    onShow() {
      this.refreshPending()
    },

    onInput(event) {
      form.onInput(this, event)
    },

    onRegion(event) {
      this.setData({ regionIndex: Number(event.detail.value), 'errors.org_id': '' })
    },

    refreshPending() {
      this.setData({ pending: outbox.pending().map((e) => ({ key: e.key, employer: e.body.employer, attempts: e.attempts })) })
    },

    onSubmit: action(
      async function onSubmit() {
        const body = claimBody(this.data)
        await api.subscribe(config.templates.wage)
        this.setData({ errors: {}, notice: '', receipt: null })
        this.show(await outbox.submit(body))
        this.refreshPending()
      },
      { exclusive: true }
    ),

    onRetry: action(
      async function onRetry() {
        await this.retryPending()
      },
      { exclusive: true }
    ),

    async retryPending() {
      if (!outbox.pending().length) return
      const results = await outbox.flush()
      results.forEach((result) => this.show(result))
      this.refreshPending()
    },

    /** 把一次发送的结果告诉用户。 */
    show(result) {
      if (result.status === 'sent') {
        this.setData({ receipt: result.claim, form: emptyForm(), regionIndex: -1, notice: '' })
        wx.showToast({ title: '已提交，工会会尽快联系您', icon: 'success' })
      } else if (result.status === 'rejected') {
        // 交还给用户修改：表单恢复成提交时的内容，错误显示在各字段旁
        const f = result.entry.body
        const regionIndex = this.data.regions.findIndex((r) => r.id === f.org_id)
        this.setData({
          regionIndex,
          form: { ...emptyForm(), ...f, amount_owed: String(f.amount_owed), workers_owed: String(f.workers_owed || '') },
        })
        form.showError(this, result.error)
      } else {
        this.setData({ notice: '网络不好，求助已保存在手机上，联网后会自动重新提交（不会重复提交）' })
        wx.showToast({ title: '网络不好，已保存，稍后自动重试', icon: 'none' })
      }
    },
  },
})
