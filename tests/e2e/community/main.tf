# An estate written the way the popular public module collections arrange AWS: a VPC module
# with NAT and flow logs, an S3 bucket module with its configuration resources, a security group
# module with separate rule resources, an SQS module with a dead-letter queue. The modules are
# our own; the resource types and arrangements are the ones those collections use. Applied once
# per test session by the terraform tier (tests/e2e/test_community.py) to moto's server, whose
# endpoint comes from AWS_ENDPOINT_URL.

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
      project    = "community"
      managed-by = "terraform"
    }
  }
}

locals {
  environments = {
    dev = {
      retention_days     = 7
      visibility_timeout = 30
    }
    prod = {
      retention_days     = 30
      visibility_timeout = 120
    }
  }
}

module "vpc" {
  source = "./modules/vpc"

  name = "community"
  cidr = "10.30.0.0/16"
  azs = {
    a = { zone = "us-east-1a", public = "10.30.0.0/24", private = "10.30.10.0/24" }
    b = { zone = "us-east-1b", public = "10.30.1.0/24", private = "10.30.11.0/24" }
  }
  flow_log_retention_days = 14
}

module "assets" {
  source   = "./modules/s3-bucket"
  for_each = local.environments

  bucket                  = "community-${each.key}-assets"
  noncurrent_version_days = each.value.retention_days
  tags = {
    environment = each.key
  }
}

module "web_sg" {
  source = "./modules/security-group"

  name        = "community-web"
  description = "web tier"
  vpc_id      = module.vpc.vpc_id
  ingress = {
    https = { from_port = 443, to_port = 443, protocol = "tcp", cidr = "0.0.0.0/0", description = "https from anywhere" }
    http  = { from_port = 80, to_port = 80, protocol = "tcp", cidr = "0.0.0.0/0", description = "http from anywhere" }
  }
}

module "db_sg" {
  source = "./modules/security-group"

  name         = "community-db"
  description  = "database tier"
  vpc_id       = module.vpc.vpc_id
  legacy_rules = true
  ingress = {
    postgres = { from_port = 5432, to_port = 5432, protocol = "tcp", cidr = module.vpc.cidr, description = "postgres from the vpc" }
  }
}

module "jobs" {
  source   = "./modules/sqs"
  for_each = local.environments

  name               = "community-${each.key}-jobs"
  visibility_timeout = each.value.visibility_timeout
  tags = {
    environment = each.key
  }
}

output "vpc_id" {
  value = module.vpc.vpc_id
}
