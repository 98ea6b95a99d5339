/**
 * 个人入会（实名）：搜索要加入的基层工会，填写实名信息，同意隐私政策后提交；显示申请进度。
 */
const api = require('../../utils/api')
const config = require('../../config')
const form = require('../../utils/form')
const labels = require('../../utils/labels')
const { action } = require('../../utils/page')

Component({
  data: {
    q: '',
    orgs: [],
    searched: false,
    org: null,
    genders: labels.genders,
    workerTypes: labels.workerTypes,
    genderIndex: -1,
    workerTypeIndex: -1,
    form: { name: '', id_number: '', mobile: '', employer: '' },
    consent: false,
    errors: {},
    application: null,
    busy: false,
  },

  methods: {
    onLoad: action(async function onLoad() {
      const [latest] = await api.get('/membership/applications/mine')
      if (latest) this.setData({ application: latest })
    }),

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

    onSubmit: action(
      async function onSubmit() {
        const d = this.data
        const body = {
          ...d.form,
          org_id: d.org ? d.org.id : null,
          gender: d.genderIndex >= 0 ? d.genders[d.genderIndex].value : '',
          worker_type: d.workerTypeIndex >= 0 ? d.workerTypes[d.workerTypeIndex].value : '',
          consent: d.consent,
          consent_version: config.consentVersion,
        }
        await api.subscribe(config.templates.join)
        this.setData({ errors: {} })
        const application = await api.submit(this, '/membership/applications', body)
        this.setData({ application })
        wx.showToast({ title: '申请已提交，请等待工会审核', icon: 'success' })
      },
      { exclusive: true }
    ),
  },
})
