/** GB 11643 身份证号（测试数据用）：地区码 + 出生日期 + 顺序码（奇数男、偶数女）+ 校验位。 */
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
const CHECK = '10X98765432'

function checkChar(first17) {
  const sum = first17.split('').reduce((acc, digit, i) => acc + Number(digit) * WEIGHTS[i], 0)
  return CHECK[sum % 11]
}

function makeIdNumber({ region = '141002', born = '1990-03-07', sequence = 1, gender = 'male' }) {
  const seq = ((sequence % 500) * 2 + (gender === 'male' ? 1 : 0)).toString().padStart(3, '0')
  const first17 = `${region}${born.replace(/-/g, '')}${seq}`
  return first17 + checkChar(first17)
}

/** GB 32100 统一社会信用代码（测试数据用）：91（企业）+ 地区码 + 9 位主体码 + 校验位。 */
const CREDIT_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY'
const CREDIT_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]

function makeCreditCode(region = '141002', serial = 1) {
  let tail = ''
  let n = serial
  for (let i = 0; i < 9; i += 1) {
    tail = CREDIT_ALPHABET[n % 31] + tail
    n = Math.floor(n / 31)
  }
  const first17 = `91${region}${tail}`
  const total = first17.split('').reduce((acc, c, i) => acc + CREDIT_ALPHABET.indexOf(c) * CREDIT_WEIGHTS[i], 0)
  return first17 + CREDIT_ALPHABET[(31 - (total % 31)) % 31]
}

module.exports = { makeIdNumber, checkChar, makeCreditCode }
