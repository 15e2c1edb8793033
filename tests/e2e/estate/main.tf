# A small estate covering the resource types cloudrift supports, applied by the e2e tier to
# moto's server. The endpoint comes from AWS_ENDPOINT_URL, so nothing here names the emulator.
# Names are fixed: every test session gets a fresh emulator.

terraform {
  required_version = ">= 1.5"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.100"
    }
  }
}

provider "aws" {
  region                      = "us-east-1"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  s3_use_path_style           = true

  # Makes tags_all differ from tags in state, as it does in most real estates.
  default_tags {
    tags = {
      owner = "cloudrift-e2e"
    }
  }
}

variable "ami" {
  description = "An image moto ships (Ubuntu 14.04)."
  type        = string
  default     = "ami-1e749f67"
}

variable "db_password" {
  type      = string
  sensitive = true
  default   = "not-a-real-secret-1"
}

module "net" {
  source = "./modules/net"
  name   = "e2e"
  cidr   = "10.20.0.0/16"
}

# -- EC2 -------------------------------------------------------------------------------------

resource "aws_instance" "web" {
  ami                    = var.ami
  instance_type          = "t3.micro"
  subnet_id              = module.net.subnet_ids[0]
  vpc_security_group_ids = [module.net.security_group_id]
  tags = {
    Name = "e2e-web"
  }
}

resource "aws_ebs_volume" "data" {
  availability_zone = "us-east-1a"
  size              = 10
  type              = "gp3"
  tags = {
    Name = "e2e-data"
  }
}

resource "aws_eip" "web" {
  domain = "vpc"
  tags = {
    Name = "e2e-web"
  }
}

# -- S3 --------------------------------------------------------------------------------------

resource "aws_s3_bucket" "data" {
  bucket = "cloudrift-e2e-data"
  tags = {
    purpose = "data"
  }
}

resource "aws_s3_bucket_versioning" "data" {
  bucket = aws_s3_bucket.data.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_policy" "data" {
  bucket = aws_s3_bucket.data.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "AppReads"
      Effect    = "Allow"
      Principal = { AWS = aws_iam_role.app.arn }
      Action    = ["s3:GetObject"]
      Resource  = "${aws_s3_bucket.data.arn}/*"
    }]
  })
}

# -- IAM -------------------------------------------------------------------------------------

resource "aws_iam_role" "app" {
  name        = "e2e-app"
  description = "application role"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = ["ec2.amazonaws.com", "lambda.amazonaws.com"] }
      Action    = "sts:AssumeRole"
    }]
  })
  tags = {
    team = "platform"
  }
}

resource "aws_iam_policy" "read" {
  name        = "e2e-read"
  description = "read the data bucket"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["s3:GetObject", "s3:ListBucket"]
      Resource = [aws_s3_bucket.data.arn, "${aws_s3_bucket.data.arn}/*"]
    }]
  })
}

resource "aws_iam_role_policy" "inline" {
  name = "e2e-inline"
  role = aws_iam_role.app.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "sqs:SendMessage"
      Resource = aws_sqs_queue.q["orders"].arn
    }]
  })
}

resource "aws_iam_role_policy_attachment" "read" {
  role       = aws_iam_role.app.name
  policy_arn = aws_iam_policy.read.arn
}

resource "aws_iam_user" "u" {
  for_each = toset(["ci", "auditor"])
  name     = "e2e-${each.key}"
  tags = {
    kind = each.key
  }
}

resource "aws_iam_access_key" "ci" {
  user = aws_iam_user.u["ci"].name
}

# -- KMS, SQS, SNS, DynamoDB, logs, ECR ------------------------------------------------------

resource "aws_kms_key" "main" {
  description             = "e2e data key"
  deletion_window_in_days = 7
  tags = {
    purpose = "data"
  }
}

resource "aws_sqs_queue" "q" {
  for_each                   = { orders = 30, billing = 60 }
  name                       = "e2e-${each.key}"
  visibility_timeout_seconds = each.value
  tags = {
    queue = each.key
  }
}

resource "aws_sns_topic" "alerts" {
  name         = "e2e-alerts"
  display_name = "alerts"
}

resource "aws_dynamodb_table" "sessions" {
  name         = "e2e-sessions"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "id"
  attribute {
    name = "id"
    type = "S"
  }
  tags = {
    purpose = "sessions"
  }
}

resource "aws_cloudwatch_log_group" "app" {
  name              = "/e2e/app"
  retention_in_days = 14
}

resource "aws_ecr_repository" "app" {
  name                 = "e2e-app"
  image_tag_mutability = "MUTABLE"
}

# -- Lambda, RDS -----------------------------------------------------------------------------

resource "aws_lambda_function" "worker" {
  function_name = "e2e-worker"
  role          = aws_iam_role.app.arn
  runtime       = "python3.12"
  handler       = "index.handler"
  filename      = "${path.module}/lambda.zip"
  memory_size   = 128
  timeout       = 10
}

resource "aws_db_instance" "db" {
  identifier          = "e2e-db"
  engine              = "postgres"
  instance_class      = "db.t3.micro"
  allocated_storage   = 20
  username            = "app"
  password            = var.db_password
  skip_final_snapshot = true
}
