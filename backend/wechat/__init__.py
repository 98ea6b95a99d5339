"""WeChat (微信) integration: the wechatpy client adapter and what builds on it."""
