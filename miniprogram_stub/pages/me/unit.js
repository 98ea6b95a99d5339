/**
 * 单位建会：单位（企业、机关事业单位等）向所在乡镇（街道）工会申请建立工会，工会审核；进度在“我的”。
 */
const api = require('../../utils/api')
const form = require('../../utils/form')
const meta = require('../../utils/meta')
const { action } = require('../../utils/page')

function emptyForm() {
  return { unit_name: '', credit_code: '', address: '', employee_count: '', contact_name: '', contact_phone: '', note: '' }
}

Component({
  data: {
    categories: [],
    categoryIndex: -1,
    q: '',
    orgs: [],
    searched: false,
    org: null,
    form: emptyForm(),
    errors: {},
    done: null,
    busy: false,
  },

  methods: {
    onLoad: action(async function onLoad() {
      await meta.load()
      this.setData({ categories: meta.options('unit_categories') })
    }),

    onQuery(event) {
      this.setData({ q: event.detail.value })
    },

    onSearch: action(async function onSearch() {
      const { items } = await api.list('/orgs', { q: this.data.q.trim(), level: 'town' }, { auth: false })
      this.setData({ orgs: items, searched: true })
    }),

    onPickOrg(event) {
      const org = this.data.orgs.find((o) => o.id === Number(event.currentTarget.dataset.id))
      this.setData({ org, orgs: [], 'errors.org_id': '' })
    },

    onCategory(event) {
      this.setData({ categoryIndex: Number(event.detail.value), 'errors.category': '' })
    },

    onInput(event) {
      form.onInput(this, event)
    },

    onSubmit: action(
      async function onSubmit() {
        const d = this.data
        const f = d.form
        const subscribed = api.subscribe(meta.templates('unit'))
        const body = {
          unit_name: f.unit_name,
          credit_code: f.credit_code.trim().toUpperCase(),
          org_id: d.org ? d.org.id : null,
          category: d.categoryIndex >= 0 ? d.categories[d.categoryIndex].value : '',
          address: f.address,
          employee_count: /^\d+$/.test(f.employee_count) ? Number(f.employee_count) : f.employee_count,
          contact_name: f.contact_name,
          contact_phone: f.contact_phone,
        }
        if (f.note.trim()) body.note = f.note.trim()
        const ok = form.requireFields(this, [
          { name: 'unit_name', label: '单位名称', value: body.unit_name },
          { name: 'credit_code', label: '统一社会信用代码', value: body.credit_code },
          { name: 'org_id', label: '所在乡镇（街道）工会', value: body.org_id, choose: true },
          { name: 'category', label: '单位类别', value: body.category, choose: true },
          { name: 'address', label: '单位地址', value: body.address },
          { name: 'employee_count', label: '职工人数', value: body.employee_count },
          { name: 'contact_name', label: '联系人', value: body.contact_name },
          { name: 'contact_phone', label: '联系电话', value: body.contact_phone },
        ])
        if (!ok) return
        await subscribed
        this.setData({ errors: {} })
        const application = await api.submit(this, '/unit-applications', body)
        this.setData({ done: application, form: emptyForm() })
        wx.showToast({ title: '已提交，等待工会审核', icon: 'success' })
      },
      { exclusive: true }
    ),

    onBack() {
      wx.navigateBack()
    },
  },
})
