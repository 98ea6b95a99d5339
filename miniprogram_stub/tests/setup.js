/**
 * 每个测试文件开始前：装上测试用 wx（覆盖 miniprogram-simulate 自带的空实现），
 * 把 config.baseUrl 指向 global-setup 启动的后端，重试间隔缩到毫秒级。
 */
require('miniprogram-simulate')
const { createShim } = require('./wx-shim')
const config = require('../config')

const shim = createShim()
global.wx = Object.assign(global.wx || {}, shim.wx)
global.__wxShim = shim

config.baseUrl = process.env.STUB_API_URL
config.retry = { attempts: 3, baseDelayMs: 1, maxDelayMs: 4 }
