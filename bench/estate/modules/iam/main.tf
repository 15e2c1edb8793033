# A team's IAM: 12 users, 6 roles, each with an inline policy and one attached managed policy.

variable "team" {
  type = string
}

locals {
  users = toset([for n in range(12) : format("u%02d", n)])
}

resource "aws_iam_user" "u" {
  for_each = local.users
  name     = "bench-${var.team}-${each.key}"
  tags = {
    team = var.team
  }
}

resource "aws_iam_role" "r" {
  count       = 6
  name        = "bench-${var.team}-role-${count.index}"
  description = "${var.team} service role ${count.index}"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "ec2.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
  tags = {
    team = var.team
  }
}

resource "aws_iam_policy" "p" {
  count       = 6
  name        = "bench-${var.team}-policy-${count.index}"
  description = "${var.team} read access ${count.index}"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["s3:GetObject", "s3:ListBucket"]
      Resource = ["arn:aws:s3:::bench-${var.team}-${count.index}", "arn:aws:s3:::bench-${var.team}-${count.index}/*"]
    }]
  })
}

resource "aws_iam_role_policy" "inline" {
  count = 6
  name  = "bench-${var.team}-inline-${count.index}"
  role  = aws_iam_role.r[count.index].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "logs:PutLogEvents"
      Resource = "arn:aws:logs:us-east-1:123456789012:log-group:/bench/${var.team}/*"
    }]
  })
}

resource "aws_iam_role_policy_attachment" "a" {
  count      = 6
  role       = aws_iam_role.r[count.index].name
  policy_arn = aws_iam_policy.p[count.index].arn
}
