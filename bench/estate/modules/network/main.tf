# One VPC with 8 subnets, 10 security groups, an internet gateway and a public route table.

variable "name" {
  type = string
}

variable "cidr" {
  type = string
}

locals {
  zones  = ["us-east-1a", "us-east-1b", "us-east-1c"]
  groups = toset(["web", "api", "worker", "cache", "db", "queue", "admin", "bastion", "metrics", "batch"])
}

resource "aws_vpc" "this" {
  cidr_block           = var.cidr
  enable_dns_hostnames = true
  tags = {
    Name = var.name
    tier = "network"
  }
}

resource "aws_subnet" "s" {
  count             = 8
  vpc_id            = aws_vpc.this.id
  cidr_block        = cidrsubnet(var.cidr, 8, count.index)
  availability_zone = local.zones[count.index % length(local.zones)]
  tags = {
    Name = "${var.name}-${count.index}"
  }
}

resource "aws_security_group" "g" {
  for_each    = local.groups
  name        = "${var.name}-${each.key}"
  description = "${each.key} tier"
  vpc_id      = aws_vpc.this.id

  ingress {
    description = "https"
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = [var.cidr]
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }

  tags = {
    Name = "${var.name}-${each.key}"
  }
}

resource "aws_internet_gateway" "gw" {
  vpc_id = aws_vpc.this.id
  tags = {
    Name = var.name
  }
}

resource "aws_route_table" "public" {
  vpc_id = aws_vpc.this.id
  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.gw.id
  }
  tags = {
    Name = "${var.name}-public"
  }
}
