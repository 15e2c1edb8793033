# The estate of the terraform-vs-cloudrift benchmark (bench/terraform.py): 572 resources of types
# cloudrift supports, applied by real terraform to moto's server. Types whose create or read waits
# on the provider side (SQS queues, RDS and EC2 instances, Lambda functions) are left out, so the
# apply takes about a minute; every other type is one that both judges compare.
# Names are fixed: every benchmark run gets a fresh emulator.

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

  default_tags {
    tags = {
      owner = "cloudrift-bench"
    }
  }
}

locals {
  teams = ["payments", "search", "identity", "billing", "catalog", "shipping", "ledger", "growth"]
}

# 4 x 21 network resources
module "network" {
  source   = "./modules/network"
  for_each = { a = "10.10.0.0/16", b = "10.11.0.0/16", c = "10.12.0.0/16", d = "10.13.0.0/16" }
  name     = "bench-${each.key}"
  cidr     = each.value
}

# 8 x 36 IAM resources
module "iam" {
  source   = "./modules/iam"
  for_each = toset(local.teams)
  team     = each.key
}

# 8 x 25 storage, messaging and key resources
module "data" {
  source   = "./modules/data"
  for_each = toset(local.teams)
  team     = each.key
}
