/**
 * 选项和它们的中文名。后端在校验错误里会列出可选值，但没有提供查询这些选项的接口，
 * 所以与后端 config/ 和模型保持一致地写在这里（后端改了这里也要改）。
 */
module.exports = {
  genders: [
    { value: 'male', label: '男' },
    { value: 'female', label: '女' },
  ],
  workerTypes: [
    { value: 'regular', label: '普通职工' },
    { value: 'migrant', label: '农民工' },
    { value: 'truck_driver', label: '货车司机' },
    { value: 'courier', label: '快递员' },
    { value: 'delivery_rider', label: '外卖送餐员' },
    { value: 'ride_hailing_driver', label: '网约车司机' },
    { value: 'domestic_worker', label: '家政服务员' },
    { value: 'care_worker', label: '护工护理员' },
    { value: 'security_guard', label: '保安员' },
    { value: 'property_staff', label: '物业服务人员' },
  ],
  // 入会申请状态（登录和 GET /me 返回的 application 里只有 status，没有中文名）
  reviewStatus: {
    submitted: '待审核',
    needs_info: '待补充材料',
    approved: '已通过',
    rejected: '未通过',
    withdrawn: '已撤回',
  },
  // config/aid.yaml categories
  aidCategories: [
    { value: 'living_hardship', label: '生活困难' },
    { value: 'serious_illness', label: '大病救助' },
    { value: 'education', label: '金秋助学' },
    { value: 'accident', label: '意外灾害' },
    { value: 'medical_mutual_aid', label: '医疗互助' },
    { value: 'other', label: '其他' },
  ],
  // “五小”作品类别
  innovationCategories: [
    { value: 'invention', label: '小发明' },
    { value: 'creation', label: '小创造' },
    { value: 'renovation', label: '小革新' },
    { value: 'design', label: '小设计' },
    { value: 'suggestion', label: '小建议' },
  ],
  // config/legal.yaml topics
  legalTopics: [
    { value: 'labour_contract', label: '劳动合同' },
    { value: 'wages', label: '工资报酬' },
    { value: 'work_injury', label: '工伤认定与赔偿' },
    { value: 'social_insurance', label: '社会保险' },
    { value: 'dismissal', label: '解除或终止劳动关系' },
    { value: 'working_hours', label: '工时与休息休假' },
    { value: 'other', label: '其他劳动法律问题' },
  ],
}
