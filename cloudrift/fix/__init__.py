"""``cloudrift fix``: the Terraform-native fix of each finding (import blocks, targeted
applies, code patches, removed blocks), written as files a person reviews, applied only with
``--apply`` behind a plan that must hold exactly the expected actions."""
