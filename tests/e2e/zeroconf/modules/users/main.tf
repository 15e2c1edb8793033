variable "team" {
  type = string
}

resource "aws_iam_user" "u" {
  for_each = toset(["alice", "bob"])
  name     = "cloudrift-e2e-${each.key}"
  tags = {
    team = var.team
  }
}
