/**
 * 欠薪求助：一屏填完、一个大按钮提交；可以代工友一起反映（姓名、电话），可附照片。
 * 网络不好时表单连同 Idempotency-Key 暂存在手机上，联网后自动（或点“立即重试”）用同一个键重发，
 * 绝不会重复提交。提交成功后回执显示在页面最上方。
 */
const api = require('../../utils/api')
const outbox = require('../../utils/outbox')
const form = require('../../utils/form')
const meta = require('../../utils/meta')
const photos = require('../../utils/photos')
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
function claimBody(data, evidenceIds) {
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
  const crew = data.crew
    .filter((c) => c.name.trim() || c.phone.trim())
    .map((c) => (c.phone.trim() ? { name: c.name.trim(), phone: c.phone.trim() } : { name: c.name.trim() }))
  if (crew.length) body.crew = crew
  if (evidenceIds && evidenceIds.length) body.evidence_ids = evidenceIds
  return body
}

Component({
  data: {
    regions: [],
    regionIndex: -1,
    form: emptyForm(),
    crew: [],
    ...photos.pageData(),
    errors: {},
    receipt: null,
    pending: [],
    notice: '',
    busy: false,
  },

  methods: {
    ...photos.pageMethods,

    onLoad: action(async function onLoad() {
      this.refreshPending()
      const [{ items }] = await Promise.all([api.list('/orgs', { level: 'county' }, { auth: false }), meta.load()])
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

    onAddCrew() {
      const crew = this.data.crew.concat({ name: '', phone: '' })
      const owed = Number(this.data.form.workers_owed) || 1
      // 工友加上自己：人数不够时自动加上
      this.setData({ crew, 'form.workers_owed': String(Math.max(owed, crew.length + 1)), 'errors.crew': '' })
    },

    onRemoveCrew(event) {
      const index = Number(event.currentTarget.dataset.index)
      this.setData({ crew: this.data.crew.filter((_, i) => i !== index) })
    },

    onCrewInput(event) {
      const { index, field } = event.currentTarget.dataset
      this.setData({ [`crew[${index}].${field}`]: event.detail.value, 'errors.crew': '' })
    },

    refreshPending() {
      this.setData({ pending: outbox.pending().map((e) => ({ key: e.key, employer: e.body.employer, attempts: e.attempts })) })
    },

    checkRequired(body) {
      const fields = [
        { name: 'org_id', label: '欠薪发生的县区', value: body.org_id, choose: true },
        { name: 'employer', label: '欠薪单位', value: body.employer },
        { name: 'project', label: '项目或工地', value: body.project },
        { name: 'amount_owed', label: '被拖欠的工资', value: body.amount_owed },
        { name: 'owed_since', label: '从哪天开始拖欠', value: body.owed_since, choose: true },
        { name: 'contact_phone', label: '联系电话', value: body.contact_phone },
      ]
      if ((body.crew || []).some((c) => !c.name)) fields.push({ name: 'crew', label: '工友姓名', value: '' })
      return form.requireFields(this, fields)
    },

    onSubmit: action(
      async function onSubmit() {
        const subscribed = api.subscribe(meta.templates('wage'))
        const evidenceIds = photos.ids(this)
        if (!evidenceIds) return
        const body = claimBody(this.data, evidenceIds)
        if (!this.checkRequired(body)) return
        await subscribed
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

    onDetail(event) {
      wx.navigateTo({ url: `/pages/wages/detail?id=${event.currentTarget.dataset.id}` })
    },

    /** 把一次发送的结果告诉用户。 */
    show(result) {
      if (result.status === 'sent') {
        this.setData({ receipt: result.claim, form: emptyForm(), crew: [], photos: [], regionIndex: -1, notice: '' })
        wx.pageScrollTo({ selector: '#receipt', duration: 200 })
        wx.showToast({ title: '已提交，工会会尽快联系您', icon: 'success' })
      } else if (result.status === 'rejected') {
        // 交还给用户修改：表单恢复成提交时的内容，错误显示在各字段旁
        const f = result.entry.body
        const regionIndex = this.data.regions.findIndex((r) => r.id === f.org_id)
        this.setData({
          regionIndex,
          form: { ...emptyForm(), ...f, amount_owed: String(f.amount_owed), workers_owed: String(f.workers_owed || '') },
          crew: (f.crew || []).map((c) => ({ name: c.name || '', phone: c.phone || '' })),
        })
        form.showError(this, result.error)
      } else {
        this.setData({ notice: '网络不好，求助已保存在手机上，联网后会自动重新提交（不会重复提交）' })
        wx.showToast({ title: '网络不好，已保存，稍后自动重试', icon: 'none' })
      }
    },
  },
})
