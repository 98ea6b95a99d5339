/**
 * 证明材料照片：wx.chooseMedia 选图 → 逐张上传（POST /uploads），显示进度；失败的可点“重试”。
 * 页面 data.photos = [{key, path, progress, status: uploading|done|failed, id, error}]，
 * 提交时 ids(page) 只带上传成功的 id，uploading / failed 时提交前先提示。
 */
const api = require('./api')
const config = require('../config')
const { action } = require('./page')

let seq = 0

function set(page, key, changes) {
  const index = page.data.photos.findIndex((p) => p.key === key)
  if (index < 0) return
  const update = {}
  Object.keys(changes).forEach((name) => {
    update[`photos[${index}].${name}`] = changes[name]
  })
  page.setData(update)
}

async function send(page, photo) {
  set(page, photo.key, { status: 'uploading', progress: 0, error: '' })
  try {
    const uploaded = await api.upload(photo.path, (progress) => set(page, photo.key, { progress }))
    set(page, photo.key, { status: 'done', progress: 100, id: uploaded.id })
  } catch (err) {
    set(page, photo.key, { status: 'failed', error: err.message || '上传失败' })
  }
}

function chooseMedia(count) {
  return new Promise((resolve) => {
    wx.chooseMedia({
      count,
      mediaType: ['image'],
      sourceType: ['album', 'camera'],
      sizeType: ['compressed'],
      success: (res) => resolve(res.tempFiles || []),
      fail: () => resolve([]),
    })
  })
}

/** 点“添加照片”：选图并逐张上传（返回全部上传结束的 Promise）。 */
async function choose(page) {
  const room = config.maxPhotos - page.data.photos.length
  if (room <= 0) {
    wx.showToast({ title: `最多 ${config.maxPhotos} 张`, icon: 'none' })
    return
  }
  const files = await chooseMedia(room)
  const added = files.map((f) => {
    seq += 1
    return { key: `p${seq}`, path: f.tempFilePath, progress: 0, status: 'uploading', id: null, error: '' }
  })
  if (!added.length) return
  page.setData({ photos: page.data.photos.concat(added) })
  // 一张一张传：工地上的网络带宽小，同时传几张谁都传不完
  for (const photo of added) await send(page, photo)
}

/** 点某张失败照片的“重试”。 */
function retry(page, key) {
  const photo = page.data.photos.find((p) => p.key === key)
  if (photo && photo.status === 'failed') return send(page, photo)
  return Promise.resolve()
}

function remove(page, key) {
  page.setData({ photos: page.data.photos.filter((p) => p.key !== key) })
}

/** 提交前：还有没传完或失败的照片就提示并返回 null，否则返回成功上传的 id。 */
function ids(page) {
  const photos = page.data.photos
  if (photos.some((p) => p.status === 'uploading')) {
    wx.showToast({ title: '照片还在上传，请稍候', icon: 'none' })
    return null
  }
  if (photos.some((p) => p.status === 'failed')) {
    wx.showToast({ title: '有照片没有传上去，请点“重试”或删掉它', icon: 'none' })
    return null
  }
  return photos.map((p) => p.id)
}

/** 页面要混入的数据和方法（照片区的 wxml 见 wages/aid/competitions 页面）。 */
const pageData = () => ({ photos: [], maxPhotos: config.maxPhotos })

const pageMethods = {
  onAddPhoto: action(function onAddPhoto() {
    return choose(this)
  }),
  onRetryPhoto: action(function onRetryPhoto(event) {
    return retry(this, event.currentTarget.dataset.key)
  }),
  onRemovePhoto(event) {
    remove(this, event.currentTarget.dataset.key)
  },
}

module.exports = { choose, retry, remove, ids, pageData, pageMethods }
