/**
 * 个人入会（实名）：搜索要加入的基层工会，填写实名信息，同意隐私政策后提交；显示申请进度。
 * 工会退回“待补充材料”时表单带着原来的内容回来，改好后重新提交；审核前可撤回。
 */
const api = require('../../utils/api')
const form = require('../../utils/form')
const meta = require('../../utils/meta')
const { action } = require('../../utils/page')

const OPEN_FOR_NEW = ['rejected', 'withdrawn']

function emptyForm() {
  return { name: '', id_number: '', mobile: '', employer: '' }
}

Component({
  data: {
    q: '',
    orgs: [],
    searched: false,
    org: null,
    genders: [],
    workerTypes: [],
    genderIndex: -1,
    workerTypeIndex: -1,
    form: emptyForm(),
    consent: false,
    privacy: null,
    showPrivacy: false,
    errors: {},
    application: null,
    showForm: true,
    resubmitting: false,
    canWithdraw: false,
    busy: false,
  },

  methods: {
    onLoad: action(async function onLoad() {
      const reference = await meta.load()
      this.setData({
        genders: reference.genders,
        workerTypes: reference.worker_types,
        privacy: reference.privacy_notice,
      })
      const [latest] = await api.get('/membership/applications/mine', { page_size: 1 }) // 最新的一份
      this.show(latest || null)
    }),

    /** 按申请状态决定显示什么：没有申请或已结束 → 新申请；待补充材料 → 带原内容的表单。 */
    show(application) {
      const status = application && application.status
      const resubmitting = status === 'needs_info'
      const update = {
        application,
        resubmitting,
        showForm: !application || resubmitting || OPEN_FOR_NEW.includes(status),
        canWithdraw: status === 'submitted' || status === 'needs_info',
      }
      if (resubmitting) {
        // 身份证号和手机号只回来脱敏的，需重新输入；其余按原申请填好
        Object.assign(update, {
          org: application.org,
          form: { ...emptyForm(), name: application.name, employer: application.employer },
          genderIndex: this.data.genders.findIndex((g) => g.value === application.gender),
          workerTypeIndex: this.data.workerTypes.findIndex((t) => t.value === application.worker_type),
        })
      }
      this.setData(update)
    },

    onQuery(event) {
      this.setData({ q: event.detail.value })
    },

    onSearch: action(async function onSearch() {
      const { items } = await api.list('/orgs', { q: this.data.q.trim(), accepting_members: true }, { auth: false })
      this.setData({ orgs: items, searched: true })
    }),

    onPickOrg(event) {
      const org = this.data.orgs.find((o) => o.id === Number(event.currentTarget.dataset.id))
      this.setData({ org, orgs: [], 'errors.org_id': '' })
    },

    onInput(event) {
      form.onInput(this, event)
    },

    onGender(event) {
      this.setData({ genderIndex: Number(event.detail.value), 'errors.gender': '' })
    },

    onWorkerType(event) {
      this.setData({ workerTypeIndex: Number(event.detail.value), 'errors.worker_type': '' })
    },

    onConsent(event) {
      this.setData({ consent: Boolean(event.detail.value), 'errors.consent': '' })
    },

    onTogglePrivacy() {
      this.setData({ showPrivacy: !this.data.showPrivacy })
    },

    body() {
      const d = this.data
      return {
        ...d.form,
        org_id: d.org ? d.org.id : null,
        gender: d.genderIndex >= 0 ? d.genders[d.genderIndex].value : '',
        worker_type: d.workerTypeIndex >= 0 ? d.workerTypes[d.workerTypeIndex].value : '',
        consent: d.consent,
        consent_version: d.privacy.version,
      }
    },

    checkRequired(body) {
      return form.requireFields(this, [
        { name: 'org_id', label: '要加入的工会', value: body.org_id, choose: true },
        { name: 'name', label: '姓名', value: body.name },
        { name: 'gender', label: '性别', value: body.gender, choose: true },
        { name: 'id_number', label: '身份证号', value: body.id_number },
        { name: 'mobile', label: '手机号', value: body.mobile },
        { name: 'employer', label: '工作单位', value: body.employer },
        { name: 'worker_type', label: '职工类型', value: body.worker_type, choose: true },
      ])
    },

    onSubmit: action(
      async function onSubmit() {
        const body = this.body()
        const subscribed = api.subscribe(meta.templates('membership'))
        if (!this.checkRequired(body)) return
        await subscribed
        this.setData({ errors: {} })
        let application
        if (this.data.resubmitting) {
          application = await api.post(`/membership/applications/${this.data.application.id}/resubmit`, body)
          wx.showToast({ title: '已重新提交，请等待工会审核', icon: 'success' })
        } else {
          application = await api.submit(this, '/membership/applications', body)
          wx.showToast({ title: '申请已提交，请等待工会审核', icon: 'success' })
        }
        this.setData({ form: emptyForm() })
        this.show(application)
      },
      { exclusive: true }
    ),

    onWithdraw: action(async function onWithdraw() {
      const confirmed = await new Promise((resolve) =>
        wx.showModal({
          title: '撤回申请',
          content: '撤回后工会不再审核这份申请，需要时可以重新申请。确定撤回吗？',
          success: (res) => resolve(res.confirm),
        })
      )
      if (!confirmed) return
      const application = await api.post(`/membership/applications/${this.data.application.id}/withdraw`)
      wx.showToast({ title: '已撤回', icon: 'success' })
      this.show(application)
    }),
  },
})
