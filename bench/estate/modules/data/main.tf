# A team's storage and messaging: 5 buckets (one versioned), 8 log groups, 4 SNS topics,
# 3 ECR repositories, 2 KMS keys and 2 DynamoDB tables.

variable "team" {
  type = string
}

resource "aws_s3_bucket" "b" {
  for_each = toset(["raw", "clean", "reports", "exports", "archive"])
  bucket   = "bench-${var.team}-${each.key}"
  tags = {
    team = var.team
  }
}

resource "aws_s3_bucket_versioning" "archive" {
  bucket = aws_s3_bucket.b["archive"].id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_cloudwatch_log_group" "l" {
  count             = 8
  name              = "/bench/${var.team}/${count.index}"
  retention_in_days = 30
  tags = {
    team = var.team
  }
}

resource "aws_sns_topic" "t" {
  for_each     = toset(["alerts", "events", "audit", "deploys"])
  name         = "bench-${var.team}-${each.key}"
  display_name = each.key
}

resource "aws_ecr_repository" "e" {
  count                = 3
  name                 = "bench-${var.team}-${count.index}"
  image_tag_mutability = "MUTABLE"
}

resource "aws_kms_key" "k" {
  count                   = 2
  description             = "${var.team} key ${count.index}"
  deletion_window_in_days = 7
  tags = {
    team = var.team
  }
}

resource "aws_dynamodb_table" "d" {
  count        = 2
  name         = "bench-${var.team}-${count.index}"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "id"
  attribute {
    name = "id"
    type = "S"
  }
  tags = {
    team = var.team
  }
}
