# The fix tier's own small estate: resources that apply in seconds on the emulator, each test
# drifting and fixing its own. The endpoint comes from AWS_ENDPOINT_URL.

terraform {
  required_version = ">= 1.7"
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
}

variable "retention_days" {
  type    = number
  default = 14
}

resource "aws_sqs_queue" "revert" {
  name                       = "fix-revert"
  visibility_timeout_seconds = 30
  tags = {
    env = "prod"
  }
}

resource "aws_sqs_queue" "accept" {
  name                       = "fix-accept"
  visibility_timeout_seconds = 30
  tags = {
    env  = "prod"
    team = "core"
  }
}

resource "aws_cloudwatch_log_group" "from_variable" {
  name              = "/fix/from-variable"
  retention_in_days = var.retention_days
}

resource "aws_cloudwatch_log_group" "recreate" {
  name              = "/fix/recreate"
  retention_in_days = 7
}

resource "aws_sns_topic" "alerts" {
  name = "fix-alerts"
  tags = {
    env = "prod"
  }
}
