/** 联谊活动列表与报名（逻辑在 page.js）。 */
Component(require('./page'))
